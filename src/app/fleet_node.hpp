#pragma once
// One daemon's part in a fleet (store kind postgres): it claims a fair share of the rooms
// through the lease table, renews its leases every lease / 3, and stops acting on a room as
// soon as it cannot be sure it still holds it: measured on its own monotonic clock from before
// the last renewal it sent that succeeded. Rooms other nodes run are followed through the
// records they commit (LISTEN/NOTIFY). The lease table's blocking calls run on a thread of
// the node's own; everything else runs on the event loop.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fleet_plan.hpp"
#include "polylogue/transcript/lease_fence.hpp"
#include "polylogue/transcript/lease_table.hpp"
#include "polylogue/transcript/record_listener.hpp"

namespace polylogue::app {

// What the node asks of the rooms it hosts (room_host in the daemon).
struct fleet_rooms {
    std::function<std::vector<std::string>()> names;  // the configuration's rooms, in order
    std::function<void(const std::string&)> take;     // run it here: the lease is ours
    std::function<bool(const std::string&)> stop;     // stop running it here; false: it did not
    // Another node committed up to last_seq (0: read whatever is new).
    std::function<void(const std::string&, std::int64_t)> follow;
};

struct fleet_settings {
    std::string node;
    std::string address;  // the control API's HOST:PORT, for forwarded requests
    std::string conninfo;
    std::chrono::milliseconds lease{5000};
};

class fleet_node {
  public:
    fleet_node(boost::asio::any_io_executor loop, fleet_settings settings,
               std::unique_ptr<transcript::lease_table> table,
               std::shared_ptr<transcript::lease_fence> fence, fleet_rooms rooms,
               std::shared_ptr<spdlog::logger> log);
    fleet_node(const fleet_node&) = delete;
    fleet_node& operator=(const fleet_node&) = delete;
    ~fleet_node();

    // The lease loop and the record listener; each returns after finish().
    boost::asio::awaitable<void> run_leases();
    boost::asio::awaitable<void> run_listener();

    // Shutdown, first step: claim nothing more; the held leases are still renewed while the
    // rooms finish their turns.
    void stop_claiming() noexcept { claiming_ = false; }
    // Shutdown, last step (the rooms have stopped): releases every lease so that other nodes
    // take the rooms at once, then the loops return.
    boost::asio::awaitable<void> finish();

    // A room's run() returned here: a room being given back is released now.
    void room_stopped(const std::string& room);

    // The owner of each room as the last look saw it; nullopt when never seen.
    std::optional<transcript::room_owner> owner_of(const std::string& room) const;
    bool holds(const std::string& room) const { return held_.contains(room); }
    std::size_t leases_held() const noexcept { return held_.size(); }
    const std::string& node() const noexcept { return settings_.node; }

  private:
    boost::asio::awaitable<void> look();
    boost::asio::awaitable<bool> renew();
    boost::asio::awaitable<void> claim(const fleet_view& view);
    void give_back(const fleet_view& view);
    void granted(const transcript::lease_grant& grant);
    void lose(const std::string& room, const char* why);
    void lose_all(const char* why);
    void arm_doubt(std::chrono::steady_clock::time_point sure_until);
    boost::asio::awaitable<void> watch_doubt();
    std::vector<transcript::lease_grant> held_grants() const;

    boost::asio::any_io_executor loop_;
    fleet_settings settings_;
    std::unique_ptr<transcript::lease_table> table_;
    std::shared_ptr<transcript::lease_fence> fence_;
    fleet_rooms rooms_;
    std::shared_ptr<spdlog::logger> log_;
    boost::asio::thread_pool db_thread_{1};
    boost::asio::steady_timer tick_;
    boost::asio::steady_timer doubt_;  // fires when the leases can no longer be trusted
    std::map<std::string, std::int64_t, std::less<>> held_;  // room -> epoch
    std::vector<std::string> taken_order_;                   // held rooms, oldest first
    std::set<std::string, std::less<>> giving_back_;
    std::vector<std::string> room_stopped_later_;  // given back while iterating held_
    std::map<std::string, transcript::room_owner, std::less<>> owners_;
    int live_nodes_ = 1;
    bool claiming_ = true;
    bool finished_ = false;
    bool table_failing_ = false;  // said once per outage
};

}  // namespace polylogue::app
