#include "daemon_setup.hpp"

#include <chrono>
#include <iostream>

#include "fleet_setup.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/transcript/open_store.hpp"

namespace polylogue::app {

std::optional<daemon_setup> plan_setup(const config::config& cfg, const daemon_options& options) {
    daemon_setup setup;
    setup.own_dir = cfg.data_dir;
    if (cfg.store.kind != config::store_kind::postgres) {
        if (options.node) {
            std::cerr << "polylogue: --node names a daemon of a fleet; it needs store kind "
                         "postgres\n";
            return std::nullopt;
        }
        return setup;
    }
    if (!options.until_signal) {
        std::cerr << "polylogue: run works on one machine's store; with store kind postgres "
                     "rooms run under `polylogue serve`, on every node of the fleet\n";
        return std::nullopt;
    }
    setup.node = options.node.value_or(default_node_name());
    if (const auto problem = node_name_problem(setup.node); !problem.empty()) {
        std::cerr << "polylogue: " << problem << "\n";
        return std::nullopt;
    }
    setup.own_dir = node_dir(cfg, setup.node);
    setup.fence = std::make_shared<transcript::lease_fence>(setup.node);
    return setup;
}

bool open_stores(daemon_setup& setup, const config::config& cfg, spdlog::logger& log,
                 std::unique_ptr<transcript::store>& db,
                 std::unique_ptr<transcript::store>& reader) {
    auto opened = transcript::open_store(cfg, setup.fence);
    if (!opened) {
        log.error("cannot open the transcript store: {}", opened.error());
        return false;
    }
    auto read = transcript::open_store(cfg);
    if (!read) {
        log.error("cannot open the transcript store: {}", read.error());
        return false;
    }
    db = std::move(*opened);
    reader = std::move(*read);
    if (setup.fence) {
        auto conninfo = transcript::store_conninfo(cfg);
        if (!conninfo) {
            log.error("cannot open the lease table: {}", conninfo.error());
            return false;
        }
        setup.conninfo = std::move(*conninfo);
        auto table = transcript::lease_table::open(setup.conninfo);
        if (!table) {
            log.error("cannot open the lease table: {}", table.error());
            return false;
        }
        setup.leases = std::move(*table);
    }
    return true;
}

std::shared_ptr<const config::config> load_for_daemon(const std::string& config_path,
                                                      const daemon_options& options) {
    auto loaded = config::load_config(config_path);
    if (!loaded) {
        print_problems(loaded.error());
        return nullptr;
    }
    if (options.listen) {
        loaded->control.listen = *options.listen;
    }
    return std::make_shared<const config::config>(std::move(*loaded));
}

std::shared_ptr<room::daily_budget> open_daily_budget(transcript::store& db,
                                                      const config::config& cfg,
                                                      spdlog::logger& log) {
    const auto now = std::chrono::system_clock::now();
    const auto midnight = room::daily_budget::next_day(now) - std::chrono::days{1};
    auto spent = db.cost_since(core::format_rfc3339(midnight));
    if (!spent) {
        log.error("cannot read today's spending from {}: {}", db.where(), spent.error().message());
        return nullptr;
    }
    auto budget = std::make_shared<room::daily_budget>(cfg.budget_usd_per_day);
    budget->add(now, *spent);
    if (cfg.budget_usd_per_day) {
        log.info("daily budget: {:.4f} of {:.2f} US dollars spent since 00:00 UTC", *spent,
                 *cfg.budget_usd_per_day);
    }
    return budget;
}

}  // namespace polylogue::app
