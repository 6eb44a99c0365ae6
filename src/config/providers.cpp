#include <array>
#include <utility>

#include "config/endpoint_values.hpp"
#include "config/endpoints.hpp"
#include "config/sections.hpp"
#include "config/values.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

const std::vector<std::string> provider_keys{"kind",
                                             "base_url",
                                             "api_key_env",
                                             "ca_file",
                                             "max_tokens_field",
                                             "headers",
                                             "anthropic_version",
                                             "max_in_flight",
                                             "requests_per_minute",
                                             "retry",
                                             "timeouts"};
const std::vector<std::string> kind_names{"openai", "anthropic", "gemini", "scripted"};
constexpr std::array kinds{provider_kind::openai, provider_kind::anthropic, provider_kind::gemini,
                           provider_kind::scripted};
const std::vector<std::string> token_fields{"max_tokens", "max_completion_tokens"};
const std::vector<std::string> retry_keys{"attempts", "initial_backoff", "max_backoff", "max_wait"};
constexpr int max_in_flight_limit = 256;
constexpr int requests_per_minute_limit = 100'000;
constexpr int attempts_limit = 20;

struct reserved_header {
    std::string_view name;  // lower case
    std::string_view reason;
};

constexpr std::string_view key_reason =
    "the API key is sent from the variable api_key_env names, never from the configuration";

// Headers Polylogue sets itself; a second copy from the configuration would conflict with them.
constexpr std::array<reserved_header, 5> reserved_headers{{
    {"authorization", key_reason},
    {"x-api-key", key_reason},
    {"x-goog-api-key", key_reason},
    {"host", "the HTTP client sets it from base_url"},
    {"content-length", "the HTTP client sets it from the request body"},
}};

void refuse_network_keys(const map_view& view, reporter& report) {
    for (const field& f : view.fields()) {
        if (f.key != "kind") {
            report.error(
                f.key_node.Mark(),
                f.key + " is for openai, anthropic and gemini providers, not scripted ones");
        }
    }
}

// Why the header name is refused, or empty when it is fine.
std::string header_name_problem(const std::string& name) {
    if (!is_header_name(name)) {
        return "header name '" + name + "' must be letters, digits and !#$%&'*+-.^_`|~";
    }
    const std::string lower = core::ascii_lower(name);
    for (const reserved_header& reserved : reserved_headers) {
        if (reserved.name == lower) {
            return "header '" + name + "' cannot be set here: " + std::string{reserved.reason};
        }
    }
    return {};
}

// Reads one header into target unless it is refused; seen holds the names read so far.
void read_header(const field& header, std::vector<located<std::string>>& seen, provider& target,
                 reporter& report) {
    if (std::string problem = header_name_problem(header.key); !problem.empty()) {
        report.error(header.key_node.Mark(), std::move(problem));
        return;
    }
    const std::string lower = core::ascii_lower(header.key);
    for (const located<std::string>& earlier : seen) {
        if (earlier.value == lower) {
            // HTTP names are case-insensitive: "X-Title" and "x-title" are one header.
            report.error(header.key_node.Mark(), "duplicate header '" + header.key +
                                                     "'; first at " + position_text(earlier.mark));
            return;
        }
    }
    seen.push_back({lower, header.key_node.Mark()});
    const std::string what = "header '" + header.key + "'";
    const std::optional<std::string> value = scalar_text(header.value);
    if (!value) {
        report.error(header.value_mark(),
                     header.value.IsNull()
                         ? what + " has no value; expected a string"
                         : what + " must be a string, not " + std::string{node_kind(header.value)});
    } else if (!is_header_value(*value)) {
        report.error(header.value_mark(),
                     what + " must not contain control characters such as line breaks");
    } else {
        target.headers.emplace_back(header.key, *value);
    }
}

void read_headers(const field& f, provider& target, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(), expected(f, "a map from header names to values"));
        return;
    }
    std::vector<located<std::string>> seen;
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        const std::optional<std::string> name = scalar_text(it->first);
        if (!name) {
            report.error(it->first.Mark(), "header names must be plain strings, not " +
                                               std::string{node_kind(it->first)});
            continue;
        }
        read_header(field{*name, it->first, it->second}, seen, target, report);
    }
}

// Reads one duration of retry into slot; false when it is malformed.
bool read_backoff(const map_view& view, std::string_view key, std::chrono::milliseconds& slot,
                  reporter& report) {
    const field* f = view.find(key);
    const auto value = f ? read_duration(*f, report) : std::nullopt;
    slot = value.value_or(slot);
    return f == nullptr || value.has_value();
}

void read_retry(const field& f, retry_settings& target, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(), expected(f, "a map such as { attempts: 4, max_wait: 2m }"));
        return;
    }
    const map_view view{f.value, "retry", retry_keys, report};
    if (const field* attempts = view.find("attempts")) {
        target.attempts =
            read_integer(*attempts, 1, attempts_limit, report).value_or(target.attempts);
    }
    const bool initial_ok = read_backoff(view, "initial_backoff", target.initial_backoff, report);
    const bool max_ok = read_backoff(view, "max_backoff", target.max_backoff, report);
    read_backoff(view, "max_wait", target.max_wait, report);
    if (!initial_ok || !max_ok || target.initial_backoff <= target.max_backoff) {
        return;
    }
    // The defaults are in order, so at least one of the two is written here.
    if (const field* initial = view.find("initial_backoff")) {
        report.error(initial->value_mark(), "initial_backoff must not exceed max_backoff (" +
                                                duration_text(target.max_backoff) + ")");
    } else {
        report.error(view.find("max_backoff")->value_mark(),
                     "max_backoff must not be shorter than initial_backoff (" +
                         duration_text(target.initial_backoff) + ")");
    }
}

void read_traffic(const map_view& view, provider& target, reporter& report) {
    if (const field* f = view.find("headers")) {
        read_headers(*f, target, report);
    }
    if (const field* f = view.find("max_in_flight")) {
        target.max_in_flight =
            read_integer(*f, 1, max_in_flight_limit, report).value_or(target.max_in_flight);
    }
    if (const field* f = view.find("requests_per_minute")) {
        target.requests_per_minute = read_integer(*f, 0, requests_per_minute_limit, report)
                                         .value_or(target.requests_per_minute);
    }
    if (const field* f = view.find("retry")) {
        read_retry(*f, target.retry, report);
    }
}

// "<key> is for <wanted> providers, not <actual> ones" when a known kind does not take the key.
bool misplaced(const field& f, const provider_draft& draft, provider_kind wanted,
               reporter& report) {
    if (!draft.valid || draft.value.kind == wanted) {
        return false;
    }
    report.error(f.key_node.Mark(), f.key + " is for " + std::string{to_string(wanted)} +
                                        " providers, not " +
                                        std::string{to_string(draft.value.kind)} + " ones");
    return true;
}

void read_kind_settings(const map_view& view, provider_draft& draft, const std::string& host,
                        reporter& report) {
    if (const field* f = view.find("max_tokens_field")) {
        const auto index = misplaced(*f, draft, provider_kind::openai, report)
                               ? std::nullopt
                               : read_choice(*f, token_fields, "max_tokens_field", report);
        if (index) {
            draft.value.max_tokens_field = token_fields[*index];
        }
    } else if (draft.value.kind == provider_kind::openai) {
        // OpenAI's own API refuses max_tokens for its reasoning models; most servers that copy
        // its API (OpenRouter, Ollama, vLLM) know only max_tokens.
        draft.value.max_tokens_field =
            host == "api.openai.com" ? "max_completion_tokens" : "max_tokens";
    }
    const field* f = view.find("anthropic_version");
    if (f != nullptr && !misplaced(*f, draft, provider_kind::anthropic, report)) {
        std::optional<std::string> date = read_string(*f, report);
        if (date && !is_iso_date(*date)) {
            report.error(f->value_mark(),
                         "anthropic_version must be a date written YYYY-MM-DD, such as 2023-06-01");
        } else if (date) {
            draft.value.anthropic_version = std::move(*date);
        }
    }
}

provider_draft read_provider(const field& entry, reporter& report) {
    provider_draft draft{};
    draft.value.name = entry.key;
    draft.mark = entry.key_node.Mark();
    const std::string owner = "provider '" + entry.key + "'";
    if (!entry.value.IsMap()) {
        report.error(entry.value_mark(), owner + " must be a map such as { kind: scripted }");
        return draft;
    }
    const map_view view{entry.value, owner, provider_keys, report};
    const field* kind_field = view.require("kind", owner);
    const auto kind =
        kind_field ? read_choice(*kind_field, kind_names, "provider kind", report) : std::nullopt;
    draft.valid = kind.has_value();
    draft.value.kind = kind ? kinds[*kind] : provider_kind::scripted;
    if (draft.valid && draft.value.kind == provider_kind::scripted) {
        refuse_network_keys(view, report);
        return draft;
    }
    endpoint_settings endpoint = read_endpoint(view, owner, draft.valid, {}, report);
    draft.value.base_url = std::move(endpoint.base_url);
    draft.value.api_key_env = std::move(endpoint.api_key_env);
    draft.value.timeouts = endpoint.timeouts;
    draft.ca_file = std::move(endpoint.ca_file);
    read_kind_settings(view, draft, endpoint.host, report);
    read_traffic(view, draft.value, report);
    return draft;
}

}  // namespace

std::vector<provider_draft> read_providers(const field& section, reporter& report) {
    std::vector<provider_draft> providers;
    if (section.value.IsNull()) {
        return providers;
    }
    if (!section.value.IsMap()) {
        report.error(section.value_mark(),
                     expected(section, "a map from provider names to settings"));
        return providers;
    }
    for (auto it = section.value.begin(); it != section.value.end(); ++it) {
        const std::optional<std::string> name = scalar_text(it->first);
        if (!name || name->empty()) {
            report.error(it->first.Mark(), "provider names must be non-empty strings");
            continue;
        }
        providers.push_back(read_provider(field{*name, it->first, it->second}, report));
    }
    return providers;
}

}  // namespace polylogue::config::detail
