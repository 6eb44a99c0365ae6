// run and serve: wiring config, store, providers and rooms onto one event loop.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>

#include "chat_log.hpp"
#include "commands.hpp"
#include "polylogue/app/daemon_log.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "polylogue/room/room_runner.hpp"
#include "polylogue/transcript/group_committer.hpp"
#include "store_location.hpp"

namespace polylogue::app {
namespace {

namespace asio = boost::asio;

std::vector<const config::room*> rooms_to_run(const config::config& cfg,
                                              const daemon_options& options) {
    std::vector<const config::room*> rooms;
    for (const auto& r : cfg.rooms) {
        if (!options.only_room || *options.only_room == r.name) {
            rooms.push_back(&r);
        }
    }
    return rooms;
}

room::provider_map make_providers(const config::config& cfg, http::client& client) {
    room::provider_map providers;
    const providers::provider_context context{&client};
    for (const auto& endpoint : cfg.providers) {
        providers.emplace(endpoint.name, providers::make_provider(endpoint, context));
    }
    return providers;
}

// The environment variables a room's members need and that are not set: a room that cannot
// authenticate does not start, and says which variable is missing.
std::vector<std::string> missing_keys(const config::config& cfg, const config::room& r) {
    std::vector<std::string> missing;
    const auto environment = providers::process_environment();
    for (const auto& name : r.members) {
        const config::model* model = cfg.find_model(name);
        const config::provider* endpoint = model ? cfg.find_provider(model->provider) : nullptr;
        if (endpoint && !endpoint->api_key_env.empty() && !environment(endpoint->api_key_env) &&
            std::find(missing.begin(), missing.end(), endpoint->api_key_env) == missing.end()) {
            missing.push_back(endpoint->api_key_env);
        }
    }
    return missing;
}

// Everything one daemon run owns, in destruction order: rooms before the committer before the
// store.
struct daemon_state {
    const config::config& cfg;
    daemon_options options;
    std::shared_ptr<spdlog::logger> log;
    asio::io_context loop;
    std::unique_ptr<transcript::store> db;
    std::unique_ptr<transcript::group_committer> committer;
    http::client client{loop.get_executor()};
    room::provider_map providers;
    providers::tool_runner tools;
    chat_log chat;
    std::vector<std::unique_ptr<room::room_runner>> rooms;
    asio::signal_set signals{loop, SIGINT, SIGTERM};
    std::size_t running = 0;
    bool stopping = false;

    daemon_state(const config::config& c, daemon_options o, std::shared_ptr<spdlog::logger> l,
                 std::unique_ptr<transcript::store> store)
        : cfg{c},
          options{std::move(o)},
          log{std::move(l)},
          db{std::move(store)},
          committer{std::make_unique<transcript::group_committer>(loop.get_executor(), *db)},
          providers{make_providers(c, client)},
          tools{c, client, providers::process_environment()},
          chat{log_dir(c), log, options.print_chat, rooms_to_run(c, options).size() > 1} {}

    void room_done(room::room_runner& runner, std::exception_ptr error);
    void shut_down(int signal_number);
    void start_room(const config::room& r);
    void finish_if_idle();
    bool refused_rooms = false;
};

void daemon_state::start_room(const config::room& r) {
    if (const auto missing = missing_keys(cfg, r); !missing.empty()) {
        std::string names;
        for (const auto& name : missing) {
            names += (names.empty() ? "" : ", ") + name;
        }
        log->error("room {} does not start: the environment variable{} {} {} not set", r.name,
                   missing.size() > 1 ? "s" : "", names, missing.size() > 1 ? "are" : "is");
        refused_rooms = true;
        return;
    }
    auto history = db->load(r.name);
    if (!history) {
        throw std::runtime_error{"cannot read the transcript of room " + r.name + ": " +
                                 history.error().message()};
    }
    if (!history->empty()) {
        chat.say(r.name, history->back().type == core::record_type::room_ended
                             ? "(room " + r.name + " ended earlier: " + history->back().text + ")"
                             : "(resuming room " + r.name + " after record " +
                                   std::to_string(history->back().seq) + ")");
    }
    room::room_services services{
        &cfg,
        committer.get(),
        &providers,
        &tools,
        log,
        [this](const config::room& room, auto records) { chat.on_commit(room, records); },
        [this](const config::room& room, const room::live_text& live) {
            chat.on_live(room, live);
        }};
    rooms.push_back(std::make_unique<room::room_runner>(loop.get_executor(), r, std::move(services),
                                                        std::move(*history)));
    auto& runner = *rooms.back();
    ++running;
    asio::co_spawn(loop, runner.run(),
                   [this, &runner](std::exception_ptr error) { room_done(runner, error); });
}

void daemon_state::room_done(room::room_runner& runner, std::exception_ptr error) {
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            log->error("room {}: stopped by an error: {}", runner.room().name, e.what());
        }
    }
    --running;
    log->info("room {}: {}", runner.room().name,
              runner.state().ended ? "ended: " + runner.state().end_reason : "stopped");
    finish_if_idle();
}

void daemon_state::finish_if_idle() {
    if (running == 0 && (stopping || !options.until_signal)) {
        signals.cancel();
        committer->stop();
    }
}

void daemon_state::shut_down(int signal_number) {
    log->info("signal {}: finishing the turns in progress, then exiting", signal_number);
    stopping = true;
    for (auto& r : rooms) {
        r->stop();
    }
    finish_if_idle();
}

int run_loop(daemon_state& daemon, const std::vector<const config::room*>& rooms) {
    asio::co_spawn(daemon.loop, daemon.committer->run(), asio::detached);
    daemon.signals.async_wait([&daemon](boost::system::error_code ec, int signal_number) {
        if (!ec) {
            daemon.shut_down(signal_number);
        }
    });
    for (const auto* r : rooms) {
        daemon.start_room(*r);
    }
    daemon.finish_if_idle();
    daemon.loop.run();
    const auto& stats = daemon.committer->stats();
    daemon.log->info("committed {} records in {} batches and {} transactions", stats.records,
                     stats.batches, stats.transactions);
    for (const auto& r : daemon.rooms) {
        if (r->outcome() == room::room_outcome::failed) {
            return exit_failure;
        }
    }
    return daemon.refused_rooms ? exit_failure : exit_ok;
}

}  // namespace

int daemon_command(const std::string& config_path, const daemon_options& options) {
    const auto loaded = config::load_config(config_path);
    if (!loaded.config) {
        for (const auto& problem : loaded.problems) {
            std::cerr << problem.to_string() << "\n";
        }
        return exit_usage;
    }
    const config::config& cfg = *loaded.config;
    const auto rooms = rooms_to_run(cfg, options);
    if (options.only_room && rooms.empty()) {
        std::cerr << "polylogue: no room named '" << *options.only_room << "' in " << config_path
                  << "\n";
        return exit_usage;
    }
    std::filesystem::create_directories(log_dir(cfg));
    auto log = make_daemon_log(log_dir(cfg), cfg.logging,
                               options.until_signal ? spdlog::level::info : spdlog::level::warn);
    auto db = transcript::store::open(store_file(cfg));
    if (!db) {
        log->error("cannot open {}: {}", store_file(cfg).string(), db.error().message());
        return exit_failure;
    }
    daemon_state daemon{cfg, options, log, std::move(*db)};
    return run_loop(daemon, rooms);
}

}  // namespace polylogue::app
