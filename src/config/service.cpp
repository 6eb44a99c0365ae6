// The sections about the daemon itself: control (the HTTP API), logging, shutdown_grace,
// budget_usd_per_day.

#include <cstdint>
#include <utility>

#include "config/endpoint_values.hpp"
#include "config/sections.hpp"
#include "config/service_values.hpp"
#include "config/values.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> control_keys{"enabled",      "listen",         "token_env",
                                            "token_file",   "max_body_bytes", "max_header_bytes",
                                            "allowed_hosts"};
constexpr std::size_t max_allowed_hosts = 100;
const std::vector<std::string> logging_keys{"level", "max_file_size", "max_files", "json"};
const std::vector<std::string> level_names{"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr std::uint64_t gib = 1024 * mib;

struct size_range {
    std::uint64_t low;
    std::uint64_t high;
};
constexpr size_range body_range{kib, 64 * mib};
constexpr size_range header_range{kib, mib};
constexpr size_range log_file_range{64 * kib, gib};
constexpr int max_files_limit = 100;
constexpr milliseconds max_shutdown_grace{600'000};

std::optional<bool> read_bool(const field& f, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<bool> value = text ? parse_bool(*text) : std::nullopt;
    if (!value) {
        report.error(f.value_mark(), f.key + " must be true or false");
    }
    return value;
}

std::optional<std::uint64_t> read_size(const field& f, size_range range, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<std::uint64_t> value = text ? parse_size(*text) : std::nullopt;
    if (!value || *value < range.low || *value > range.high) {
        report.error(f.value_mark(), f.key + " must be a size from " + size_text(range.low) +
                                         " to " + size_text(range.high) +
                                         ": a number of bytes, or a number and a unit (B, KiB, "
                                         "MiB or GiB), such as 16KiB or 10MiB");
        return std::nullopt;
    }
    return value;
}

// A map section that may also be left empty ("control:"), which keeps every default.
bool is_section_map(const field& f, std::string_view example, reporter& report) {
    if (f.value.IsMap()) {
        return true;
    }
    if (!f.value.IsNull()) {
        report.error(f.value_mark(), expected(f, example));
    }
    return false;
}

// Whether a token is configured at all; a malformed token_env still counts, so that its own
// error is not joined by a second one about the listen address.
bool read_token_source(const map_view& view, service_draft& target, reporter& report) {
    const field* env = view.find("token_env");
    const field* file = view.find("token_file");
    if (env != nullptr) {
        // Not quoted back: a user who pasted the token itself would see it printed.
        const std::optional<std::string> name = read_string(*env, report);
        if (name && !is_env_name(*name)) {
            report.error(env->value_mark(),
                         "token_env must be the name of an environment variable (letters, digits "
                         "and '_', not starting with a digit) such as POLYLOGUE_TOKEN; the token "
                         "itself never goes in the configuration");
        } else if (name) {
            target.control.token_env = *name;
        }
    }
    if (file != nullptr) {
        if (std::optional<std::string> path = read_string(*file, report)) {
            target.token_file = located<std::string>{std::move(*path), file->value_mark()};
        }
    }
    if (env != nullptr && file != nullptr) {
        report.error(file->key_node.Mark(),
                     "token_env and token_file are both set; the token must come from one of them");
    }
    return env != nullptr || file != nullptr;
}

void read_listen(const field& f, bool needs_loopback, control_settings& target, reporter& report) {
    if (f.value.IsSequence()) {
        // An unquoted [::1]:7475 is a YAML list as far as the parser knows.
        report.error(f.value_mark(),
                     "listen must be a string; quote an IPv6 address: \"[::1]:7475\"");
        return;
    }
    const std::optional<std::string> text = read_string(f, report);
    if (!text) {
        return;
    }
    listen_check checked = check_listen(*text);
    if (!checked.problem.empty()) {
        report.error(f.value_mark(), std::move(checked.problem));
        return;
    }
    if (needs_loopback && !checked.loopback) {
        report.error(f.value_mark(),
                     "control.listen: a non-loopback address needs token_env or token_file");
        return;
    }
    target.listen = *text;
}

void read_allowed_hosts(const field& f, control_settings& target, reporter& report) {
    if (!f.value.IsSequence() || f.value.size() > max_allowed_hosts) {
        report.error(f.value_mark(), f.value.IsSequence() ? "allowed_hosts holds at most 100 names"
                                                          : expected(f, "a list of host names"));
        return;
    }
    for (const YAML::Node& entry : f.value) {
        const std::optional<std::string> name = scalar_text(entry);
        if (!name || !is_host_name(*name)) {
            report.error(entry.Mark(),
                         "each of allowed_hosts must be a host name such as "
                         "polylogue.example.com, an IPv4 address or a bracketed IPv6 one, without "
                         "a scheme, a port or a '*'");
            continue;
        }
        target.allowed_hosts.push_back(core::ascii_lower(*name));
    }
}

void read_control(const field& section, service_draft& target, reporter& report) {
    if (!is_section_map(section, "a map such as { listen: 127.0.0.1:7475 }", report)) {
        return;
    }
    const map_view view{section.value, "control", control_keys, report};
    control_settings& control = target.control;
    if (const field* f = view.find("enabled")) {
        control.enabled = read_bool(*f, report).value_or(control.enabled);
    }
    const bool has_token = read_token_source(view, target, report);
    // A disabled API listens nowhere, so its address needs no token yet.
    if (const field* f = view.find("listen")) {
        read_listen(*f, control.enabled && !has_token, control, report);
    }
    if (const field* f = view.find("max_body_bytes")) {
        control.max_body_bytes = read_size(*f, body_range, report).value_or(control.max_body_bytes);
    }
    if (const field* f = view.find("max_header_bytes")) {
        control.max_header_bytes =
            read_size(*f, header_range, report).value_or(control.max_header_bytes);
    }
    if (const field* f = view.find("allowed_hosts")) {
        read_allowed_hosts(*f, control, report);
    }
}

void read_logging(const field& section, logging_settings& target, reporter& report) {
    if (!is_section_map(section, "a map such as { level: info, max_file_size: 10MiB }", report)) {
        return;
    }
    const map_view view{section.value, "logging", logging_keys, report};
    if (const field* f = view.find("level")) {
        if (const auto index = read_choice(*f, level_names, "log level", report)) {
            target.level = level_names[*index];
        }
    }
    if (const field* f = view.find("max_file_size")) {
        target.max_file_bytes =
            read_size(*f, log_file_range, report).value_or(target.max_file_bytes);
    }
    if (const field* f = view.find("max_files")) {
        target.max_files = read_integer(*f, 1, max_files_limit, report).value_or(target.max_files);
    }
    if (const field* f = view.find("json")) {
        target.json = read_bool(*f, report).value_or(target.json);
    }
}

std::optional<milliseconds> read_shutdown_grace(const field& f, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<milliseconds> value = text ? parse_duration(*text) : std::nullopt;
    if (!value || *value > max_shutdown_grace) {
        report.error(f.value_mark(),
                     "shutdown_grace must be a duration from 0s to 10m written as a number and a "
                     "unit (ms, s or m), such as 500ms, 3s or 1m");
        return std::nullopt;
    }
    return value;
}

std::optional<double> read_daily_budget(const field& f, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
    if (!value || *value <= 0) {
        report.error(f.value_mark(),
                     "budget_usd_per_day must be a number above 0 (US dollars per UTC day)");
        return std::nullopt;
    }
    return value;
}

}  // namespace

service_draft read_service(const map_view& top, reporter& report) {
    service_draft draft;
    if (const field* f = top.find("control")) {
        read_control(*f, draft, report);
    }
    if (const field* f = top.find("logging")) {
        read_logging(*f, draft.logging, report);
    }
    if (const field* f = top.find("store")) {
        read_store(*f, draft.store, report);
    }
    if (const field* f = top.find("shutdown_grace")) {
        draft.shutdown_grace = read_shutdown_grace(*f, report).value_or(draft.shutdown_grace);
    }
    if (const field* f = top.find("budget_usd_per_day")) {
        draft.budget_usd_per_day = read_daily_budget(*f, report);
    }
    return draft;
}

}  // namespace polylogue::config::detail
