#include "fleet_node.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

namespace polylogue::app {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

// The lease table's calls, run on the node's database thread. Parameters by value: each
// coroutine outlives its caller's locals only as long as the caller awaits it, but copies are
// cheap and safe.
asio::awaitable<result<int>> heartbeat_on(transcript::lease_table* table, std::string node,
                                          std::string address, milliseconds lease) {
    co_return table->heartbeat(node, address, lease);
}

asio::awaitable<result<std::vector<std::string>>> renew_on(
    transcript::lease_table* table, std::string node, std::vector<transcript::lease_grant> held,
    milliseconds lease) {
    co_return table->renew(node, held, lease);
}

asio::awaitable<result<std::vector<transcript::room_owner>>> owners_on(
    transcript::lease_table* table) {
    co_return table->owners();
}

asio::awaitable<result<std::vector<transcript::lease_grant>>> claim_on(
    transcript::lease_table* table, std::string node, std::vector<std::string> rooms,
    std::size_t limit, milliseconds lease) {
    co_return table->claim(node, rooms, limit, lease);
}

asio::awaitable<result<void>> release_on(transcript::lease_table* table, std::string node,
                                         std::vector<transcript::lease_grant> held) {
    co_return table->release(node, held);
}

using opened_listener = result<std::unique_ptr<transcript::record_listener>, std::string>;

asio::awaitable<opened_listener> open_listener_on(asio::any_io_executor loop,
                                                  std::string conninfo) {
    co_return transcript::record_listener::open(loop, conninfo);
}

// A margin for the drift between this node's clock and the database's while a lease runs.
milliseconds doubt_margin(milliseconds lease) {
    return lease / 10;
}

}  // namespace

fleet_node::fleet_node(asio::any_io_executor loop, fleet_settings settings,
                       std::unique_ptr<transcript::lease_table> table,
                       std::shared_ptr<transcript::lease_fence> fence, fleet_rooms rooms,
                       std::shared_ptr<spdlog::logger> log)
    : loop_{loop},
      settings_{std::move(settings)},
      table_{std::move(table)},
      fence_{std::move(fence)},
      rooms_{std::move(rooms)},
      log_{std::move(log)},
      tick_{loop},
      doubt_{loop, steady_clock::time_point::max()} {}

fleet_node::~fleet_node() {
    db_thread_.join();
}

asio::awaitable<void> fleet_node::run_leases() {
    asio::co_spawn(loop_, watch_doubt(), asio::detached);
    while (!finished_) {
        co_await look();
        if (finished_) {
            break;
        }
        tick_.expires_after(settings_.lease / 3);
        boost::system::error_code ignored;
        co_await tick_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
}

asio::awaitable<void> fleet_node::look() {
    auto* table = table_.get();
    auto live = co_await asio::co_spawn(
        db_thread_, heartbeat_on(table, settings_.node, settings_.address, settings_.lease),
        asio::use_awaitable);
    if (live) {
        live_nodes_ = std::max(1, *live);
    }
    const bool renewed = co_await renew();
    auto owners = co_await asio::co_spawn(db_thread_, owners_on(table), asio::use_awaitable);
    if (owners) {
        owners_.clear();
        for (auto& owner : *owners) {
            std::string room = owner.room;
            owners_.insert_or_assign(std::move(room), std::move(owner));
        }
    }
    const bool reachable = live && renewed && owners;
    if (!reachable && !table_failing_) {
        log_->error("fleet: the lease table cannot be reached: {}", !live ? live.error().message()
                                                                    : !owners
                                                                        ? owners.error().message()
                                                                        : "renewal failed");
    } else if (reachable && table_failing_) {
        log_->info("fleet: the lease table answers again");
    }
    table_failing_ = !reachable;
    if (!reachable || !claiming_ || finished_) {
        co_return;
    }
    fleet_view seen{settings_.node, rooms_.names(), {}, live_nodes_};
    seen.owners.reserve(owners_.size());
    for (const auto& [room, owner] : owners_) {
        seen.owners.push_back(owner);
    }
    give_back(seen);
    co_await claim(seen);
}

asio::awaitable<bool> fleet_node::renew() {
    if (held_.empty()) {
        co_return true;
    }
    const auto sent = steady_clock::now();
    auto renewed = co_await asio::co_spawn(
        db_thread_, renew_on(table_.get(), settings_.node, held_grants(), settings_.lease),
        asio::use_awaitable);
    if (!renewed) {
        co_return false;  // the doubt timer decides when to stop trusting the leases
    }
    const std::set<std::string, std::less<>> still{renewed->begin(), renewed->end()};
    std::vector<std::string> lost;
    for (const auto& [room, epoch] : held_) {
        if (!still.contains(room)) {
            lost.push_back(room);
        }
    }
    for (const auto& room : lost) {
        lose(room, "another node holds its lease now");
    }
    doubt_.expires_at(steady_clock::time_point::max());
    if (!held_.empty()) {
        arm_doubt(sent + settings_.lease - doubt_margin(settings_.lease));
    }
    co_return true;
}

asio::awaitable<void> fleet_node::claim(const fleet_view& view) {
    auto wanted = rooms_to_claim(view, held_.size());
    if (wanted.empty()) {
        co_return;
    }
    const std::size_t limit = wanted.size();
    const auto sent = steady_clock::now();
    auto grants = co_await asio::co_spawn(
        db_thread_,
        claim_on(table_.get(), settings_.node, std::move(wanted), limit, settings_.lease),
        asio::use_awaitable);
    if (!grants) {
        log_->warn("fleet: claiming rooms failed: {}", grants.error().message());
        co_return;
    }
    if ((!claiming_ || finished_) && !grants->empty()) {
        // The node began to stop while the claim was in flight: the rooms go back at once.
        co_await asio::co_spawn(db_thread_,
                                release_on(table_.get(), settings_.node, std::move(*grants)),
                                asio::use_awaitable);
        co_return;
    }
    if (!grants->empty()) {
        arm_doubt(sent + settings_.lease - doubt_margin(settings_.lease));
    }
    for (const auto& grant : *grants) {
        granted(grant);
    }
}

void fleet_node::granted(const transcript::lease_grant& grant) {
    log_->info("fleet: room {} is ours (lease epoch {})", grant.room, grant.epoch);
    held_.insert_or_assign(grant.room, grant.epoch);
    taken_order_.push_back(grant.room);
    fence_->hold(grant.room, grant.epoch);
    auto& owner = owners_[grant.room];
    owner = {grant.room, settings_.node, settings_.address, grant.epoch, true};
    rooms_.take(grant.room);
}

void fleet_node::give_back(const fleet_view& view) {
    for (const auto& [room, epoch] : held_) {
        if (!giving_back_.contains(room) &&
            std::find(view.rooms.begin(), view.rooms.end(), room) == view.rooms.end()) {
            // Removed from the configuration by a reload: it stopped here; its lease goes back.
            giving_back_.insert(room);
            if (!rooms_.stop(room)) {
                room_stopped_later_.push_back(room);
            }
        }
    }
    for (const auto& room : std::exchange(room_stopped_later_, {})) {
        room_stopped(room);
    }
    std::vector<std::string> keepable;
    for (const auto& room : taken_order_) {
        if (!giving_back_.contains(room)) {
            keepable.push_back(room);
        }
    }
    const auto room = room_to_give_back(view, keepable);
    if (!room) {
        return;
    }
    log_->info("fleet: giving room {} back ({} live nodes; this one holds more than its share)",
               *room, view.live_nodes);
    giving_back_.insert(*room);
    if (!rooms_.stop(*room)) {
        room_stopped(*room);  // it does not run (it ended): nothing to wait for
    }
}

void fleet_node::room_stopped(const std::string& room) {
    if (!giving_back_.contains(room)) {
        return;
    }
    giving_back_.erase(room);
    const auto found = held_.find(room);
    if (found == held_.end()) {
        return;
    }
    std::vector<transcript::lease_grant> released{{room, found->second}};
    held_.erase(found);
    std::erase(taken_order_, room);
    fence_->drop(room);
    asio::co_spawn(db_thread_, release_on(table_.get(), settings_.node, std::move(released)),
                   asio::detached);
}

void fleet_node::lose(const std::string& room, const char* why) {
    log_->warn("fleet: room {} stops here: {}", room, why);
    fence_->drop(room);  // from now on every write of this node to the room is refused
    held_.erase(room);
    std::erase(taken_order_, room);
    giving_back_.erase(room);
    rooms_.stop(room);
}

void fleet_node::lose_all(const char* why) {
    std::vector<std::string> rooms;
    for (const auto& [room, epoch] : held_) {
        rooms.push_back(room);
    }
    for (const auto& room : rooms) {
        lose(room, why);
    }
}

void fleet_node::arm_doubt(steady_clock::time_point sure_until) {
    if (sure_until < doubt_.expiry()) {
        doubt_.expires_at(sure_until);  // cancels the waiting watch_doubt(), which waits again
    }
}

asio::awaitable<void> fleet_node::watch_doubt() {
    while (!finished_) {
        boost::system::error_code ignored;
        co_await doubt_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (finished_) {
            break;
        }
        if (doubt_.expiry() <= steady_clock::now() && !held_.empty()) {
            lose_all("its lease could not be renewed in time");
            doubt_.expires_at(steady_clock::time_point::max());
        }
    }
}

std::vector<transcript::lease_grant> fleet_node::held_grants() const {
    std::vector<transcript::lease_grant> grants;
    grants.reserve(held_.size());
    for (const auto& [room, epoch] : held_) {
        grants.push_back({room, epoch});
    }
    return grants;
}

std::optional<transcript::room_owner> fleet_node::owner_of(const std::string& room) const {
    const auto found = owners_.find(room);
    if (found == owners_.end()) {
        return std::nullopt;
    }
    return found->second;
}

asio::awaitable<void> fleet_node::finish() {
    finished_ = true;
    tick_.cancel();
    doubt_.cancel();
    auto grants = held_grants();
    held_.clear();
    taken_order_.clear();
    for (const auto& grant : grants) {
        fence_->drop(grant.room);
    }
    if (!grants.empty()) {
        auto released = co_await asio::co_spawn(
            db_thread_, release_on(table_.get(), settings_.node, std::move(grants)),
            asio::use_awaitable);
        if (!released) {
            log_->warn(
                "fleet: releasing the leases failed ({}); other nodes take the rooms "
                "when they expire",
                released.error().message());
        }
    }
    // No longer counted live: the other nodes' fair shares grow at their next look.
    (void)co_await asio::co_spawn(
        db_thread_, heartbeat_on(table_.get(), settings_.node, settings_.address, milliseconds{0}),
        asio::use_awaitable);
}

asio::awaitable<void> fleet_node::run_listener() {
    // The rooms were read at start, before anyone listened: the first connection catches up too.
    bool reopened = true;
    while (!finished_) {
        auto opened = co_await asio::co_spawn(
            db_thread_, open_listener_on(loop_, settings_.conninfo), asio::use_awaitable);
        if (!opened) {
            log_->warn("fleet: cannot listen for other nodes' records: {}", opened.error());
            asio::steady_timer retry{loop_, std::chrono::seconds{1}};
            boost::system::error_code ignored;
            co_await retry.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            reopened = true;
            continue;
        }
        if (reopened) {
            for (const auto& room : rooms_.names()) {
                if (!holds(room)) {
                    rooms_.follow(room, 0);  // what was committed while nobody listened
                }
            }
        }
        while (!finished_) {
            auto notices = co_await (*opened)->next(std::chrono::seconds{1});
            if (!notices) {
                log_->warn("fleet: the listening connection was lost: {}",
                           notices.error().message());
                reopened = true;
                break;
            }
            for (const auto& notice : *notices) {
                if (!holds(notice.room)) {
                    rooms_.follow(notice.room, notice.last_seq);
                }
            }
        }
    }
}

}  // namespace polylogue::app
