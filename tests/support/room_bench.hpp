#pragma once
// What a room needs around it, for in-process tests of the orchestrators (room_runner,
// control_api, room_host): a config read from YAML in a temporary directory (scripted members,
// whose scripts the test writes there too), a store in that directory behind a running group
// committer, the config's providers, and one event loop that a test runs with a time limit.

#include <boost/asio/io_context.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/room/room_runner.hpp"
#include "polylogue/transcript/group_committer.hpp"
#include "polylogue/transcript/store.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::test {

class room_bench {
  public:
    room_bench();
    room_bench(const room_bench&) = delete;
    room_bench& operator=(const room_bench&) = delete;
    ~room_bench();

    // Writes a script of these replies as dir/NAME.yaml, for a model's `script: NAME.yaml`.
    void write_script(const std::string& name, const std::vector<std::string>& replies) const;

    // Reads config_yaml as dir/polylogue.yaml (data_dir relative to it); fails the test when it
    // is refused. Opens the store and makes the scripted providers (a test that names a network
    // provider makes it with an http::client of its own and adds it to `providers`).
    void load(const std::string& config_yaml);

    // What a room of the config uses; observer may be null.
    room::room_services services(room::room_observer* observer) const;

    // A runner for the config's room of that name, with its stored history.
    std::unique_ptr<room::room_runner> make_runner(const std::string& name,
                                                   room::room_observer* observer);

    // Spawns the committer's run() (once); it runs until committer->stop().
    void start_committer();

    // Spawns the runner's run() (and the committer's); when every room spawned so far has
    // returned, the committer stops, so that the loop runs out of work.
    void spawn(room::room_runner& runner);

    // Runs the loop (the committer included) until it runs out of work or limit passes; fails
    // the test in the second case.
    void run(std::chrono::milliseconds limit = std::chrono::seconds{20});

    temp_dir dir;
    boost::asio::io_context loop;
    std::shared_ptr<const config::config> cfg;
    std::unique_ptr<transcript::store> db;      // the committer's connection
    std::unique_ptr<transcript::store> reader;  // another, for the test's own reads
    std::unique_ptr<transcript::group_committer> committer;
    std::shared_ptr<room::provider_map> providers;
    std::shared_ptr<spdlog::logger> log;

  private:
    int running_ = 0;
    bool committer_started_ = false;
};

}  // namespace polylogue::test
