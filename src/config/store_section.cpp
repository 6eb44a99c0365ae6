// The store section: where transcripts live (sqlite, the default, or a shared PostgreSQL).

#include <utility>

#include "config/endpoint_values.hpp"
#include "config/sections.hpp"
#include "config/values.hpp"

namespace polylogue::config::detail {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> store_keys{"kind", "url_env", "lease"};
const std::vector<std::string> store_kinds{"sqlite", "postgres"};
// Under a second, one slow renewal round trip costs the lease; over ten minutes, a dead node's
// rooms wait that long for another.
constexpr milliseconds min_lease{1000};
constexpr milliseconds max_lease{600'000};

void read_url_env(const field& f, store_settings& target, reporter& report) {
    const std::optional<std::string> name = read_string(f, report);
    if (name && !is_env_name(*name)) {
        // Not quoted back: a user who pasted the connection string would see its password.
        report.error(f.value_mark(),
                     "url_env must be the name of an environment variable (letters, digits and "
                     "'_', not starting with a digit) such as POLYLOGUE_DATABASE_URL; the "
                     "connection string itself never goes in the configuration");
    } else if (name) {
        target.url_env = *name;
    }
}

void read_lease(const field& f, store_settings& target, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<milliseconds> value = text ? parse_duration(*text) : std::nullopt;
    if (!value || *value < min_lease || *value > max_lease) {
        report.error(f.value_mark(),
                     "lease must be a duration from 1s to 10m written as a number and a unit "
                     "(ms, s or m), such as 5s");
        return;
    }
    target.lease = *value;
}

}  // namespace

void read_store(const field& section, store_settings& target, reporter& report) {
    if (!section.value.IsMap()) {
        report.error(section.value_mark(), expected(section,
                                                    "a map such as {kind: postgres, url_env: "
                                                    "POLYLOGUE_DATABASE_URL}"));
        return;
    }
    const map_view view{section.value, "store", store_keys, report};
    if (const field* f = view.find("kind")) {
        if (const auto kind = read_choice(*f, store_kinds, "store kind", report)) {
            target.kind = *kind == 0 ? store_kind::sqlite : store_kind::postgres;
        }
    }
    const field* url_env = view.find("url_env");
    if (url_env != nullptr) {
        read_url_env(*url_env, target, report);
    }
    if (const field* f = view.find("lease")) {
        read_lease(*f, target, report);
    }
    if (target.kind == store_kind::postgres && url_env == nullptr) {
        report.error(view.mark(),
                     "store kind postgres needs url_env: the name of the environment variable "
                     "holding the database's connection string");
    }
    if (target.kind == store_kind::sqlite && url_env != nullptr) {
        report.error(url_env->key_node.Mark(),
                     "url_env is for store kind postgres; the sqlite store is data_dir/"
                     "transcripts.db");
    }
}

}  // namespace polylogue::config::detail
