#pragma once
// The settings providers and tools share: where the endpoint is, which variable holds its key,
// which CA to trust, how long a call may take.

#include <optional>
#include <string>
#include <string_view>

#include "config/sections.hpp"

namespace polylogue::config::detail {

struct endpoint_settings {
    std::string base_url;  // normalized; empty when absent or refused
    std::string host;      // base_url's host, lower case
    std::string api_key_env;
    std::optional<located<std::string>> ca_file;  // as written, resolved by the loader
    timeout_settings timeouts;
};

// Reads base_url, api_key_env, ca_file and timeouts from view; with base_url_required, a missing
// base_url is reported as
// "<owner> is missing required key 'base_url'".
endpoint_settings read_endpoint(const map_view& view, std::string_view owner,
                                bool base_url_required, const timeout_settings& defaults,
                                reporter& report);

}  // namespace polylogue::config::detail
