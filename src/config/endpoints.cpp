#include "config/endpoints.hpp"

#include <utility>

#include "config/endpoint_values.hpp"
#include "config/values.hpp"

namespace polylogue::config::detail {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> timeout_keys{"connect", "first_byte", "idle", "total"};

void read_base_url(const field& f, endpoint_settings& target, reporter& report) {
    const std::optional<std::string> text = read_string(f, report);
    if (!text) {
        return;
    }
    base_url_check checked = check_base_url(*text);
    if (!checked.problem.empty()) {
        report.error(f.value_mark(), std::move(checked.problem));
        return;
    }
    target.base_url = std::move(checked.url);
    target.host = std::move(checked.host);
}

void read_env_name(const field& f, endpoint_settings& target, reporter& report) {
    std::optional<std::string> name = read_string(f, report);
    if (!name) {
        return;
    }
    // The value is not quoted back: a user who pasted the key itself would see it printed.
    if (!is_env_name(*name)) {
        report.error(f.value_mark(),
                     "api_key_env must be the name of an environment variable (letters, digits "
                     "and '_', not starting with a digit) such as OPENROUTER_API_KEY; the key "
                     "itself never goes in the configuration");
        return;
    }
    target.api_key_env = std::move(*name);
}

// Zero is refused: a call that may take no time at all would always fail.
std::optional<milliseconds> read_timeout(const field& f, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<milliseconds> value = text ? parse_duration(*text) : std::nullopt;
    if (!value || *value <= milliseconds{0} || *value > max_duration) {
        report.error(f.value_mark(), f.key +
                                         " must be a duration above 0s and at most 1h, written as "
                                         "a number and a unit (ms, s or m), such as 500ms, 10s "
                                         "or 2m");
        return std::nullopt;
    }
    return value;
}

void read_timeouts(const field& f, timeout_settings& target, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(), expected(f, "a map such as { connect: 10s, total: 10m }"));
        return;
    }
    const map_view view{f.value, "timeouts", timeout_keys, report};
    const std::pair<std::string_view, milliseconds*> slots[] = {{"connect", &target.connect},
                                                                {"first_byte", &target.first_byte},
                                                                {"idle", &target.idle},
                                                                {"total", &target.total}};
    for (const auto& [key, slot] : slots) {
        if (const field* setting = view.find(key)) {
            *slot = read_timeout(*setting, report).value_or(*slot);
        }
    }
}

}  // namespace

endpoint_settings read_endpoint(const map_view& view, std::string_view owner,
                                bool base_url_required, const timeout_settings& defaults,
                                reporter& report) {
    endpoint_settings settings{};
    settings.timeouts = defaults;
    const field* url = base_url_required ? view.require("base_url", owner) : view.find("base_url");
    if (url != nullptr) {
        read_base_url(*url, settings, report);
    }
    if (const field* f = view.find("api_key_env")) {
        read_env_name(*f, settings, report);
    }
    if (const field* f = view.find("ca_file")) {
        if (std::optional<std::string> path = read_string(*f, report)) {
            settings.ca_file = located<std::string>{std::move(*path), f->value_mark()};
        }
    }
    if (const field* f = view.find("timeouts")) {
        read_timeouts(*f, settings.timeouts, report);
    }
    return settings;
}

}  // namespace polylogue::config::detail
