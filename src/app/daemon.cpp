// run and serve: wiring config, store, providers, rooms and (for serve) the control API onto
// one event loop, with the signals a service gets: TERM/INT stop, HUP reloads.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "chat_log.hpp"
#include "commands.hpp"
#include "control_setup.hpp"
#include "data_dir_lock.hpp"
#include "polylogue/app/daemon_log.hpp"
#include "polylogue/app/service_notify.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_view.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "reload_plan.hpp"
#include "room_host.hpp"
#include "store_location.hpp"

namespace polylogue::app {
namespace {

namespace asio = boost::asio;

// Everything one daemon run owns, in destruction order: the server and rooms before what they
// use, the committer before the store.
struct daemon_state {
    std::string config_path;
    std::shared_ptr<const config::config> cfg;
    // The config the daemon started with: its settings that only a restart applies are in force.
    std::shared_ptr<const config::config> started_cfg;
    daemon_options options;
    std::shared_ptr<spdlog::logger> log;
    asio::io_context loop;
    std::unique_ptr<transcript::store> db;
    std::unique_ptr<transcript::store> reader;
    std::unique_ptr<transcript::group_committer> committer;
    http::client client{loop.get_executor()};
    chat_log chat;
    control::metrics counters;
    control::event_hub events{loop.get_executor()};
    control::room_feed feed{events};
    std::shared_ptr<room::daily_budget> budget;
    std::unique_ptr<room_host> host;
    std::unique_ptr<control::control_api> api;
    std::unique_ptr<http::server> server;
    asio::signal_set stop_signals{loop, SIGINT, SIGTERM};
    asio::signal_set reload_signal{loop, SIGHUP};
    asio::steady_timer grace{loop};
    service_notify notify{log};
    bool stopping = false;
    bool abandoned = false;  // turns were still in flight when the grace period ended

    daemon_state(std::string path, std::shared_ptr<const config::config> c, daemon_options o,
                 std::shared_ptr<spdlog::logger> l)
        : config_path{std::move(path)},
          cfg{std::move(c)},
          started_cfg{cfg},
          options{std::move(o)},
          log{std::move(l)},
          chat{loop.get_executor(), log_dir(*cfg), log, options.print_chat,
               options.only_room ? false : cfg->rooms.size() > 1} {}

    void make_host();
    void start();
    void finish_if_idle();
    void shut_down(int signal_number);
    void wait_for_stop();
    void wait_for_reload();
    void reload();
    bool apply_reload();
    std::optional<control::api_access> reloaded_access(const config::config& wanted);
    void apply_access(control::api_access access);
    std::string restart_notice(const config::config& wanted);
    void abandon_turns();
    control::metric_gauges gauges() const;
};

control::metric_gauges daemon_state::gauges() const {
    control::metric_gauges g;
    for (const room::room_handle* room : host->rooms()) {
        ++g.rooms_by_state[std::string{control::room_state_name(*room)}];
    }
    g.sse_clients = static_cast<std::int64_t>(events.clients());
    if (server) {
        const auto& connections = server->stats();
        g.http_connections = static_cast<std::int64_t>(connections.open_connections);
        g.http_connections_evicted = connections.connections_evicted;
        g.http_connections_refused = connections.connections_refused;
    }
    g.budget_usd_per_day = budget->limit();
    g.budget_spent_today_usd = budget->spent_today(std::chrono::system_clock::now());
    return g;
}

void daemon_state::make_host() {
    committer = std::make_unique<transcript::group_committer>(loop.get_executor(), *db);
    const bool serving = options.until_signal;
    host_services services{loop.get_executor(),
                           committer.get(),
                           reader.get(),
                           &client,
                           &chat,
                           serving ? &feed : nullptr,
                           serving ? &counters : nullptr,
                           budget,
                           log,
                           [this] { finish_if_idle(); }};
    host = std::make_unique<room_host>(std::move(services), cfg);
}

void daemon_state::start() {
    const bool serving = options.until_signal;
    asio::co_spawn(loop, committer->run(), [this](std::exception_ptr) {
        if (abandoned) {
            loop.stop();  // the rooms still waiting on providers are abandoned, not awaited
        }
    });
    wait_for_stop();
    if (serving) {
        wait_for_reload();
        asio::co_spawn(loop, notify.run_watchdog(), asio::detached);
    }
    host->start(options.only_room, serving);
    if (serving) {
        notify.status(std::to_string(host->rooms().size()) + " rooms");
        notify.ready();
    }
}

void daemon_state::finish_if_idle() {
    if (host && host->running() == 0 && (stopping || !options.until_signal)) {
        stop_signals.cancel();
        reload_signal.cancel();
        grace.cancel();
        notify.stop_watchdog();
        committer->stop();
    }
}

void daemon_state::wait_for_stop() {
    stop_signals.async_wait([this](boost::system::error_code ec, int signal_number) {
        if (!ec) {
            shut_down(signal_number);
        }
    });
}

void daemon_state::wait_for_reload() {
    reload_signal.async_wait([this](boost::system::error_code ec, int) {
        if (!ec) {
            reload();
            wait_for_reload();
        }
    });
}

void daemon_state::reload() {
    log->info("SIGHUP: reloading {}", config_path);
    notify.reloading();
    if (!apply_reload()) {
        notify.status("reload refused; running on the previous configuration (see the log)");
    }
    notify.ready();
}

// The API's access under the wanted config, at the address it listens on; nullopt after
// logging why the reload is refused (a token that cannot be had or is unfit).
std::optional<control::api_access> daemon_state::reloaded_access(const config::config& wanted) {
    if (!api) {
        return control::api_access{};
    }
    access_reading access = read_access(wanted.control, started_cfg->control.listen);
    if (!access.problem.empty()) {
        log->error("reload refused: control API: {}", access.problem);
        return std::nullopt;
    }
    if (!access.warning.empty()) {
        log->warn("control API: {}", access.warning);
    }
    return std::move(access.access);
}

void daemon_state::apply_access(control::api_access access) {
    if (api && api->update_access(std::move(access))) {
        // Streams opened with the old token would go on; closed, their clients come back and
        // are asked for the new one.
        const std::size_t streams = events.clients();
        events.close_all();
        log->info(
            "control API: the token changed; the old one no longer works ({} event "
            "stream(s) closed)",
            streams);
    }
}

// Logs each setting the reload cannot apply; the outcome's words for them, or empty.
std::string daemon_state::restart_notice(const config::config& wanted) {
    const auto pending = settings_needing_restart(*started_cfg, wanted);
    for (const auto& s : pending) {
        log->warn(
            "reload: {} changed from '{}' to '{}'; this needs a restart, '{}' stays in "
            "force until then",
            s.key, s.running, s.wanted, s.running);
    }
    return pending.empty() ? std::string{} : "a restart is needed for " + key_list(pending);
}

bool daemon_state::apply_reload() {
    auto loaded = config::load_config(config_path);
    if (!loaded) {
        const config::refusal refused = loaded.error();
        for (const auto& problem : refused.problems) {
            log->error("reload refused: {}", problem.to_string());
        }
        if (refused.unlisted_problems > 0) {
            log->error("reload refused: {}", config::more_problems_text(refused.unlisted_problems));
        }
        log->error("reload refused: the daemon keeps running on the config it had");
        return false;
    }
    if (loaded->data_dir != cfg->data_dir) {
        log->error("reload refused: data_dir cannot change while the daemon runs");
        return false;
    }
    auto access = reloaded_access(*loaded);
    if (!access) {
        log->error("reload refused: the daemon keeps running on the config it had");
        return false;
    }
    cfg = std::make_shared<const config::config>(std::move(*loaded));
    set_daemon_log_level(*log, cfg->logging);
    budget->set_limit(cfg->budget_usd_per_day);
    host->reload(cfg);
    apply_access(std::move(*access));
    const std::string notice = restart_notice(*cfg);
    if (notice.empty()) {
        log->info("reload applied: {} rooms in the config", cfg->rooms.size());
        notify.status("reload applied: " + std::to_string(cfg->rooms.size()) + " rooms");
    } else {
        log->warn("reload applied: {} rooms in the config; {}", cfg->rooms.size(), notice);
        notify.status("reload applied; " + notice);
    }
    return true;
}

void daemon_state::shut_down(int signal_number) {
    log->info("signal {}: finishing the turns in progress, then exiting", signal_number);
    notify.stopping();
    stopping = true;
    if (server) {
        server->stop();
    }
    events.close_all();
    host->stop_all();
    grace.expires_after(cfg->shutdown_grace);
    grace.async_wait([this](boost::system::error_code ec) {
        if (!ec && host->running() > 0) {
            abandon_turns();
        }
    });
    finish_if_idle();
}

void daemon_state::abandon_turns() {
    log->warn(
        "{} turn(s) still waiting on providers after the grace period: abandoned; they "
        "are taken again on the next start",
        host->running());
    abandoned = true;
    committer->stop();
}

// The daily budget, with what every room of the data_dir has spent since 00:00 UTC: the
// records say it, so a restart neither forgets the day's spending nor counts it twice.
std::shared_ptr<room::daily_budget> open_daily_budget(transcript::store& db,
                                                      const config::config& cfg,
                                                      spdlog::logger& log) {
    const auto now = std::chrono::system_clock::now();
    const auto midnight = room::daily_budget::next_day(now) - std::chrono::days{1};
    auto spent = db.cost_since(core::format_rfc3339(midnight));
    if (!spent) {
        log.error("cannot read today's spending from {}: {}", db.where(),
                  spent.error().message());
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

int run_loop(daemon_state& daemon) {
    daemon.start();
    daemon.finish_if_idle();
    daemon.loop.run();
    const auto& stats = daemon.committer->stats();
    daemon.log->info("committed {} records in {} batches and {} transactions", stats.records,
                     stats.batches, stats.transactions);
    if (daemon.host->any_failed()) {
        return exit_failure;
    }
    return daemon.host->refused_rooms() && !daemon.options.until_signal ? exit_failure : exit_ok;
}

}  // namespace

int daemon_command(const std::string& config_path, const daemon_options& options) {
    auto loaded = config::load_config(config_path);
    if (!loaded) {
        print_problems(loaded.error());
        return exit_usage;
    }
    auto cfg = std::make_shared<const config::config>(std::move(*loaded));
    if (options.only_room && cfg->find_room(*options.only_room) == nullptr) {
        std::cerr << "polylogue: no room named '" << *options.only_room << "' in " << config_path
                  << "\n";
        return exit_usage;
    }
    // Before anything touches the store, the logs or a provider: a second process on this
    // data_dir would run every room twice.
    std::string refusal;
    const auto lock = data_dir_lock::acquire(cfg->data_dir, &refusal);
    if (!lock) {
        std::cerr << "polylogue: " << refusal << "\n";
        return exit_failure;
    }
    std::filesystem::create_directories(log_dir(*cfg));
    auto log = make_daemon_log(log_dir(*cfg), cfg->logging,
                               options.until_signal ? spdlog::level::info : spdlog::level::warn);
    auto db = transcript::store::open(store_file(*cfg));
    if (!db) {
        log->error("cannot open {}: {}", store_file(*cfg).string(), db.error().message());
        return exit_failure;
    }
    auto reader = transcript::store::open(store_file(*cfg));
    if (!reader) {
        log->error("cannot open {}: {}", store_file(*cfg).string(), reader.error().message());
        return exit_failure;
    }
    auto budget = open_daily_budget(**db, *cfg, *log);
    if (!budget) {
        return exit_failure;
    }
    daemon_state daemon{config_path, cfg, options, log};
    daemon.budget = std::move(budget);
    daemon.db = std::move(*db);
    daemon.reader = std::move(*reader);
    daemon.make_host();
    std::optional<serve_file> published;
    if (options.until_signal && cfg->control.enabled) {
        auto started =
            start_control(daemon.loop.get_executor(), *cfg,
                          control_parts{daemon.host.get(), &daemon.feed, &daemon.counters,
                                        [&daemon] { return daemon.gauges(); }},
                          daemon.log);
        if (!started) {
            return exit_failure;
        }
        daemon.api = std::move(started->api);
        daemon.server = std::move(started->server);
        published.emplace(*cfg, daemon.server->port(), cfg->control.listen);
    }
    const int code = run_loop(daemon);
    if (daemon.abandoned) {
        published.reset();
        daemon.committer.reset();  // its queue is drained; this joins the writer thread
        daemon.db.reset();
        daemon.reader.reset();
        daemon.log->flush();
        std::_Exit(code);  // coroutines still wait on providers; nothing of theirs is durable
    }
    return code;
}

}  // namespace polylogue::app
