#pragma once
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl and most HTTP tools read them: pure given the
// variables' values. https targets go through a CONNECT tunnel, http targets in absolute form.

#include <optional>
#include <string>
#include <vector>

#include "polylogue/http/url.hpp"

namespace polylogue::http {

struct proxy_settings {
    std::optional<url> https_proxy;
    std::optional<url> http_proxy;
    std::vector<std::string> no_proxy;  // lower-case host suffixes, or "*" for all

    // Reads HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy, NO_PROXY/no_proxy (lower case wins).
    static proxy_settings from_environment();

    // The proxy to use for target, if any.
    std::optional<url> for_target(const url& target) const;
};

// Builds settings from the variables' values (empty strings mean unset); unusable proxy URLs
// are ignored rather than guessed at.
proxy_settings make_proxy_settings(const std::string& https_proxy, const std::string& http_proxy,
                                   const std::string& no_proxy);

}  // namespace polylogue::http
