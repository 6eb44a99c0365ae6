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
#include "daemon_setup.hpp"
#include "data_dir_lock.hpp"
#include "fleet_budget.hpp"
#include "fleet_node.hpp"
#include "fleet_setup.hpp"
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
    // A fleet's provider budgets: the loop's coroutines may still hold its tickets when the
    // loop is destroyed, and they give them back to it, so it outlives the loop.
    std::unique_ptr<fleet_budget> shared_limits;
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
    // A fleet (store kind postgres): the node's leases, and a client of its own (no proxy)
    // that sends operators' requests on to the nodes that run the rooms.
    std::shared_ptr<transcript::lease_fence> fence;
    std::unique_ptr<transcript::lease_table> leases;
    std::unique_ptr<fleet_node> fleet;
    std::unique_ptr<http::client> forward_client;
    std::unique_ptr<control::control_api> api;
    std::unique_ptr<http::server> server;
    asio::signal_set stop_signals{loop, SIGINT, SIGTERM};
    asio::signal_set reload_signal{loop, SIGHUP};
    asio::steady_timer grace{loop};
    service_notify notify{log};
    bool stopping = false;
    bool abandoned = false;  // turns were still in flight when the grace period ended
    bool fleet_finishing = false;

    daemon_state(std::string path, std::shared_ptr<const config::config> c, daemon_options o,
                 std::shared_ptr<spdlog::logger> l, const std::filesystem::path& logs)
        : config_path{std::move(path)},
          cfg{std::move(c)},
          started_cfg{cfg},
          options{std::move(o)},
          log{std::move(l)},
          chat{loop.get_executor(), logs, log, options.print_chat,
               options.only_room ? false : cfg->rooms.size() > 1} {}

    void make_host();
    void make_fleet(const std::string& address, const std::string& conninfo);
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
    if (fleet) {
        g.fleet = true;
        g.leases_held = static_cast<std::int64_t>(fleet->leases_held());
        g.fenced_writes = fence->refusals();
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
                           shared_limits.get(),
                           &chat,
                           serving ? &feed : nullptr,
                           serving ? &counters : nullptr,
                           budget,
                           log,
                           [this] { finish_if_idle(); },
                           std::nullopt};
    if (fence) {
        services.fleet = host_services::fleet_hooks{
            fence->node(),
            [this](const std::string& room) {
                if (fleet) {
                    fleet->room_stopped(room);
                }
            },
            [this](const std::string& room) -> std::optional<control::room_owner_info> {
                const auto owner = fleet ? fleet->owner_of(room) : std::nullopt;
                if (!owner || !owner->held) {
                    return control::room_owner_info{};  // nobody holds it: it is moving
                }
                return control::room_owner_info{owner->node, owner->address, false};
            },
            [this](const std::string& room) { return fleet && fleet->holds(room); }};
    }
    host = std::make_unique<room_host>(std::move(services), cfg);
}

void daemon_state::make_fleet(const std::string& address, const std::string& conninfo) {
    fleet_rooms rooms{[this] { return host->room_names(); },
                      [this](const std::string& room) { host->take_room(room); },
                      [this](const std::string& room) { return host->stop_room(room); },
                      [this](const std::string& room, std::int64_t last_seq) {
                          host->follow_room(room, last_seq);
                      }};
    fleet_settings settings{fence->node(), address, conninfo, cfg->store.lease};
    fleet = std::make_unique<fleet_node>(loop.get_executor(), std::move(settings),
                                         std::move(leases), fence, std::move(rooms), log);
    log->info("fleet: node {} at {}, lease {} ms", fence->node(), address,
              cfg->store.lease.count());
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
    if (fleet) {
        asio::co_spawn(loop, fleet->run_leases(), asio::detached);
        asio::co_spawn(loop, fleet->run_listener(), asio::detached);
    }
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
        if (fleet && !fleet_finishing) {
            fleet_finishing = true;  // the rooms have stopped: their leases go back now
            asio::co_spawn(loop, fleet->finish(), asio::detached);
        }
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
    if (loaded && options.listen) {
        loaded->control.listen = *options.listen;
    }
    if (loaded && loaded->store.kind != cfg->store.kind) {
        log->error("reload refused: store.kind cannot change while the daemon runs");
        return false;
    }
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
    if (fleet) {
        fleet->stop_claiming();
    }
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

// The control API and, for serve, the file that tells `polylogue tail` and `rooms` where it is;
// false after logging why it could not start.
bool start_serving(daemon_state& daemon, const daemon_setup& setup,
                   std::optional<serve_file>& published) {
    const auto& cfg = *daemon.cfg;
    if (setup.fence) {
        http::client_limits limits;
        daemon.forward_client = std::make_unique<http::client>(daemon.loop.get_executor(), limits,
                                                               http::proxy_settings{});
    }
    auto started = start_control(
        daemon.loop.get_executor(), cfg,
        control_parts{daemon.host.get(), &daemon.feed, &daemon.counters,
                      [&daemon] { return daemon.gauges(); }, daemon.forward_client.get()},
        daemon.log);
    if (!started) {
        return false;
    }
    daemon.api = std::move(started->api);
    daemon.server = std::move(started->server);
    const auto port = daemon.server->port();
    if (setup.fence) {
        published.emplace(setup.own_dir / "serve.json", port, cfg.control.listen);
        daemon.make_fleet(announced_address(cfg.control.listen, port), setup.conninfo);
    } else {
        published.emplace(cfg, port, cfg.control.listen);
    }
    return true;
}

}  // namespace

int daemon_command(const std::string& config_path, const daemon_options& options) {
    auto cfg = load_for_daemon(config_path, options);
    if (!cfg) {
        return exit_usage;
    }
    if (options.only_room && cfg->find_room(*options.only_room) == nullptr) {
        std::cerr << "polylogue: no room named '" << *options.only_room << "' in " << config_path
                  << "\n";
        return exit_usage;
    }
    auto setup = plan_setup(*cfg, options);
    if (!setup) {
        return exit_usage;
    }
    if (setup->fence && !cfg->control.enabled) {
        std::cerr << "polylogue: a fleet node needs its control API (control.enabled): the "
                     "other nodes send it the requests for the rooms it runs\n";
        return exit_usage;
    }
    // Before anything touches the store, the logs or a provider: a second process on this
    // data_dir (or, in a fleet, under this node's name) would run every room twice.
    std::string refusal;
    const auto lock = data_dir_lock::acquire(setup->own_dir, &refusal);
    if (!lock) {
        std::cerr << "polylogue: " << refusal << "\n";
        return exit_failure;
    }
    const auto logs = setup->own_dir / "logs";
    std::filesystem::create_directories(logs);
    auto log = make_daemon_log(logs, cfg->logging,
                               options.until_signal ? spdlog::level::info : spdlog::level::warn);
    std::unique_ptr<transcript::store> db;
    std::unique_ptr<transcript::store> reader;
    if (!open_stores(*setup, *cfg, *log, db, reader)) {
        return exit_failure;
    }
    auto budget = open_daily_budget(*db, *cfg, *log);
    if (!budget) {
        return exit_failure;
    }
    daemon_state daemon{config_path, cfg, options, log, logs};
    daemon.budget = std::move(budget);
    daemon.db = std::move(db);
    daemon.reader = std::move(reader);
    daemon.fence = setup->fence;
    daemon.leases = std::move(setup->leases);
    if (setup->fence) {
        // Rooms call providers only once the node has announced itself (its first look), so
        // its calls count for the other nodes from the first.
        daemon.shared_limits = std::make_unique<fleet_budget>(setup->conninfo, setup->node, log);
    }
    daemon.make_host();
    std::optional<serve_file> published;
    if (options.until_signal && cfg->control.enabled && !start_serving(daemon, *setup, published)) {
        return exit_failure;
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
