#pragma once
// The rooms of one daemon run: starting them from a config, from rooms created over the control
// API (kept in data_dir/rooms/NAME.yaml), reloading a new config, stopping them. What a room
// uses (config, providers, tools) comes as one generation; a reload builds a new generation
// and hands it to the rooms, which switch at their next turn while the old one lives on until
// no room uses it. Runners are never destroyed before the daemon ends, so a request waiting
// on one always finds it.

#include <boost/asio/any_io_executor.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat_log.hpp"
#include "name_hash.hpp"
#include "polylogue/control/metrics.hpp"
#include "polylogue/control/room_directory.hpp"
#include "polylogue/control/room_feed.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/shared_budget.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "polylogue/room/room_runner.hpp"
#include "polylogue/transcript/group_committer.hpp"
#include "polylogue/transcript/store.hpp"
#include "room_watchers.hpp"

namespace polylogue::app {

struct host_services {
    boost::asio::any_io_executor executor;
    transcript::group_committer* committer = nullptr;
    transcript::store* reader = nullptr;  // a connection of the event loop's own, for reads
    http::client* client = nullptr;
    // A fleet: provider budgets held across every node; null: limits per process.
    providers::shared_budget* fleet_budget = nullptr;
    chat_log* chat = nullptr;
    control::room_feed* feed = nullptr;          // null when nothing follows rooms (run)
    control::metrics* counters = nullptr;        // likewise
    std::shared_ptr<room::daily_budget> budget;  // budget_usd_per_day, shared by every room
    std::shared_ptr<spdlog::logger> log;
    std::function<void()> on_room_done;  // a room's run() returned
    // A fleet (store kind postgres): rooms run only where their lease is (fleet_node decides;
    // docs/deploy.md, "A fleet"). Every room has a runner on every node; the others follow it.
    struct fleet_hooks {
        std::string node;
        std::function<void(const std::string&)> room_stopped;  // its run() returned
        std::function<std::optional<control::room_owner_info>(const std::string&)> owner_of;
        std::function<bool(const std::string&)> holds;  // this node holds the room's lease
    };
    std::optional<fleet_hooks> fleet;
};

class room_host final : public control::room_directory {
  public:
    room_host(host_services services, std::shared_ptr<const config::config> cfg);
    ~room_host() override;

    // Starts the config's rooms (only the one named, when given), then, when keep_created is
    // set, the rooms created over the API in earlier runs.
    void start(const std::optional<std::string>& only, bool keep_created);

    // Applies a new, valid config: new rooms start, removed rooms stop, the rest switch to it
    // at their next turn.
    void reload(std::shared_ptr<const config::config> cfg);

    void stop_all();

    std::size_t running() const noexcept { return running_; }
    bool refused_rooms() const noexcept { return refused_rooms_; }
    bool any_failed() const noexcept;

    std::vector<room::room_handle*> rooms() override;
    room::room_handle* find(std::string_view name) override;
    control::created_room create(std::string_view body) override;
    boost::asio::awaitable<control::forked_room> fork(control::fork_request request) override;
    const std::filesystem::path& data_dir() const override;
    std::optional<control::room_owner_info> owner_of(std::string_view name) override;
    std::string node_name() const override;

    // A fleet (fleet_rooms.cpp): the room runs here from its newest stored record on.
    void take_room(const std::string& name);
    // Stops running it here; false when it does not run here.
    bool stop_room(const std::string& name);
    // Reads the records another node committed after what the room here has seen.
    void follow_room(const std::string& name, std::int64_t last_seq);
    std::vector<std::string> room_names() const;

  private:
    struct generation {
        std::shared_ptr<const config::config> cfg;
        room::provider_map providers;  // they refer to cfg's providers
        std::unique_ptr<providers::tool_runner> tools;
    };
    struct hosted {
        std::unique_ptr<room::room_runner> runner;
        bool created = false;  // over the control API, not from the config file
        bool retired = false;  // removed from the config by a reload
    };

    result<std::shared_ptr<generation>> make_generation(std::shared_ptr<const config::config> cfg);
    room::room_services services_for(const std::shared_ptr<generation>& gen) const;
    // errc::invalid_config: an API key is missing; otherwise the store's reason. Either is logged.
    result<void> start_room(const config::room& r, std::shared_ptr<generation> gen);
    void expect_started(const config::room& r, const result<void>& started);
    // Runs the runner's run() (again, for a room an operator reopened).
    void launch(room::room_runner* runner);
    void start_created_rooms();
    // Forks (forked_rooms.cpp).
    bool name_in_use(std::string_view name);
    bool fork_name_in_use(std::string_view name);
    control::forked_room start_fork(config::room forked, const control::fork_request& request);
    void settle_pending_forks();
    void room_done(room::room_runner* runner, std::exception_ptr error);
    void fleet_room_done(room::room_runner* runner);
    hosted* find_hosted(std::string_view name);

    host_services services_;
    room_watchers watchers_;  // every room's observer; outlives the rooms
    std::shared_ptr<generation> current_;
    std::deque<hosted> rooms_;  // every room started, in order; never erased
    std::unordered_map<std::string, hosted*, name_hash, std::equal_to<>> by_name_;  // not retired
    std::deque<config::room> created_rooms_;              // rooms from the API; stable addresses
    std::set<std::string, std::less<>> forks_in_flight_;  // names whose records are committing
    std::size_t running_ = 0;
    bool refused_rooms_ = false;
    bool stopping_ = false;  // stop_all() was called: a fork that completes now does not start
    // A fleet: rooms won back while their previous run() was still finishing its turn; each
    // runs again once that run() returns.
    std::set<std::string, std::less<>> take_when_stopped_;
};

}  // namespace polylogue::app
