#pragma once
// Building the provider for a configured endpoint: scripted, or an HTTP provider that runs the
// endpoint's API adapter over the shared client with retries, an in-flight cap and an optional
// requests-per-minute budget shared by every room that uses it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/core/error.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider.hpp"
#include "polylogue/providers/shared_budget.hpp"

namespace polylogue::providers {

// Reads an environment variable; nullopt when it is unset or empty.
using environment_reader = std::function<std::optional<std::string>(std::string_view)>;

environment_reader process_environment();

struct provider_context {
    http::client* client = nullptr;  // shared by every HTTP provider; outlives them
    environment_reader environment = process_environment();
    // The fleet's budget (store kind postgres), taken on top of each provider's own limits;
    // null: the limits hold per process only (the sqlite store). Outlives the providers.
    shared_budget* fleet_budget = nullptr;
};

// errc::invalid_config for a kind this build has no provider for.
result<std::unique_ptr<provider>> make_provider(const config::provider& endpoint,
                                                const provider_context& context);

// Replaces the secret (in any letter case, and percent-encoded as a URL would carry it) and
// anything shaped like an API key with "[redacted]". Time linear in the text's size, stack
// constant: the text comes from outside and may be megabytes of key-like characters.
std::string redact(std::string text, std::string_view secret);
// The same over the words of a failure (its message and type), which reach records and logs.
api_failure redact(api_failure failure, std::string_view secret);

}  // namespace polylogue::providers
