// Provider budgets held across a fleet (app/fleet_budget over transcript/postgres_budget) against
// a real PostgreSQL: two budgets stand for two nodes, each with a connection of its own to one
// database. A third call waits for one of two to end, a fourth start waits for the minute's
// window, a dead node's unfinished call stops counting once its node row expires, and a database
// that cannot be reached leaves the local limits in force at once.

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "app/fleet_budget.hpp"
#include "support/postgres_server.hpp"

namespace polylogue::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::must;
using steady_clock = std::chrono::steady_clock;
using ticket = providers::shared_budget::ticket;

struct pending {
    std::optional<result<ticket>> outcome;
    steady_clock::time_point at;
};

asio::awaitable<void> acquire_into(providers::shared_budget* budget,
                                   providers::budget_limits limits,
                                   steady_clock::time_point deadline, pending* out) {
    auto outcome = co_await budget->acquire("shared", limits, deadline);
    out->at = steady_clock::now();
    out->outcome.emplace(std::move(outcome));
}

class FleetBudget : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { server = std::make_unique<test::postgres_server>(); }
    static void TearDownTestSuite() { server.reset(); }

    void SetUp() override {
        static int databases = 0;
        conninfo = server->create_database("budget_" + std::to_string(++databases));
        // The store's schema makes nodes (i15-pgstore); these tests make only what they need.
        sql().execute(
            "CREATE TABLE nodes (node text PRIMARY KEY, address text, "
            "expires_at timestamptz)");
        sql().execute(
            "INSERT INTO nodes VALUES ('a', '', now() + interval '1 hour'), "
            "('b', '', now() + interval '1 hour')");
    }

    test::sql_client& sql() {
        if (!client) {
            client = std::make_unique<test::sql_client>(conninfo);
        }
        return *client;
    }

    std::unique_ptr<fleet_budget> node(const std::string& name, std::string info = {}) {
        auto log = std::make_shared<spdlog::logger>(
            "budget-" + name, std::make_shared<spdlog::sinks::ostream_sink_mt>(said));
        return std::make_unique<fleet_budget>(info.empty() ? conninfo : info, name, log);
    }

    pending* start(providers::shared_budget& budget, providers::budget_limits limits,
                   steady_clock::time_point deadline = steady_clock::time_point::max()) {
        calls.push_back(std::make_unique<pending>());
        asio::co_spawn(loop, acquire_into(&budget, limits, deadline, calls.back().get()),
                       asio::detached);
        return calls.back().get();
    }

    // Runs the loop until every call started has its outcome, within limit.
    void settle(std::chrono::milliseconds limit = 10s) {
        loop.restart();
        const auto until = steady_clock::now() + limit;
        while (steady_clock::now() < until && !all_done()) {
            loop.run_for(5ms);
        }
        ASSERT_TRUE(all_done()) << "an acquire did not finish within " << limit.count() << " ms";
    }

    // Runs the loop for a while: calls that must wait go on waiting.
    void run_for(std::chrono::milliseconds span) {
        loop.restart();
        loop.run_for(span);
    }

    bool all_done() const {
        return std::all_of(calls.begin(), calls.end(),
                           [](const auto& c) { return c->outcome.has_value(); });
    }

    static ticket granted(pending* call) {
        EXPECT_TRUE(call->outcome.has_value());
        EXPECT_TRUE(call->outcome && *call->outcome) << "the acquire failed";
        if (!call->outcome || !*call->outcome) {
            return {};
        }
        return std::move(**call->outcome);
    }

    std::string unfinished() {
        return sql().value(
            "SELECT count(*) FROM provider_calls "
            "WHERE finished_at IS NULL");
    }

    static inline std::unique_ptr<test::postgres_server> server;
    std::string conninfo;
    std::unique_ptr<test::sql_client> client;
    std::ostringstream said;
    asio::io_context loop;
    std::vector<std::unique_ptr<pending>> calls;
};

TEST_F(FleetBudget, TheThirdCallWaitsUntilOneOfTwoInFlightEnds) {
    auto a = node("a");
    auto b = node("b");
    const providers::budget_limits limits{2, 0};
    auto* first = start(*a, limits);
    auto* second = start(*b, limits);
    settle();
    ticket on_a = granted(first);
    const ticket on_b = granted(second);
    EXPECT_TRUE(on_a.holds_fleet_slot());
    EXPECT_TRUE(on_b.holds_fleet_slot());
    EXPECT_EQ(unfinished(), "2");

    auto* third = start(*b, limits);
    run_for(600ms);
    EXPECT_FALSE(third->outcome.has_value()) << "a third call got a slot of two";
    const auto released = steady_clock::now();
    on_a.release();
    settle();
    EXPECT_TRUE(granted(third).holds_fleet_slot());
    EXPECT_LT(third->at - released, 1500ms);
}

TEST_F(FleetBudget, ACancelledWaitEndsAtOnceWithoutASlot) {
    auto a = node("a");
    const providers::budget_limits limits{1, 0};
    start(*a, limits);
    settle();
    const ticket held = granted(calls.back().get());
    calls.push_back(std::make_unique<pending>());
    asio::cancellation_signal stop;
    asio::co_spawn(
        loop, acquire_into(a.get(), limits, steady_clock::time_point::max(), calls.back().get()),
        asio::bind_cancellation_slot(stop.slot(), asio::detached));
    run_for(300ms);
    ASSERT_FALSE(calls.back()->outcome.has_value());
    stop.emit(asio::cancellation_type::terminal);
    settle(1s);
    EXPECT_EQ(calls.back()->outcome->error(), make_error_code(errc::cancelled));
    EXPECT_EQ(unfinished(), "1");
}

// Two nodes admitting calls as fast as they can, one slot between them: in the database's own
// times, no call starts before the one it followed finished.
TEST_F(FleetBudget, RacingNodesNeverHoldMoreSlotsThanTheLimit) {
    auto race = [this](const std::string& name) {
        auto budget = must(transcript::postgres_budget::open(conninfo, name));
        const auto until = steady_clock::now() + 1500ms;
        while (steady_clock::now() < until) {
            if (const auto call = must(budget->try_start("shared", 1, 0)).call) {
                must(budget->finish(*call));
            }
        }
    };
    std::thread other{race, "b"};
    race("a");
    other.join();
    const auto admitted = sql().value("SELECT count(*) FROM provider_calls");
    EXPECT_GT(std::stoi(admitted), 20);
    EXPECT_EQ(sql().value("SELECT count(*) FROM provider_calls x JOIN provider_calls y "
                          "ON x.id <> y.id AND y.started_at >= x.started_at "
                          "AND y.started_at < x.finished_at"),
              "0")
        << "of " << admitted << " calls";
}

TEST_F(FleetBudget, TheFourthStartOfAMinuteWaitsUntilTheFirstLeavesIt) {
    auto a = node("a");
    auto b = node("b");
    const providers::budget_limits limits{10, 3};
    for (int i = 0; i < 3; ++i) {
        start(*a, limits);
    }
    settle();
    for (auto& call : calls) {
        granted(call.get());  // given back at once: their starts still count for the minute
    }
    auto* refused = start(*b, limits, steady_clock::now() + 700ms);
    settle();
    ASSERT_TRUE(refused->outcome.has_value());
    EXPECT_EQ(refused->outcome->error(), make_error_code(errc::deadline_exceeded));

    // As if the three had started 58 s ago: the window frees a start in about 2 s.
    sql().execute("UPDATE provider_calls SET started_at = now() - interval '58 seconds'");
    const auto asked = steady_clock::now();
    auto* fourth = start(*b, limits);
    settle();
    EXPECT_TRUE(granted(fourth).holds_fleet_slot());
    EXPECT_GT(fourth->at - asked, 1500ms);
    EXPECT_LT(fourth->at - asked, 4000ms);
}

TEST_F(FleetBudget, ADeadNodesUnfinishedCallStopsCountingOnceItsNodeRowExpires) {
    {
        // Node a starts a call and dies: its connection goes, the call is never finished.
        auto dying = must(transcript::postgres_budget::open(conninfo, "a"));
        ASSERT_TRUE(must(dying->try_start("shared", 1, 0)).call.has_value());
    }
    sql().execute(
        "UPDATE nodes SET expires_at = now() + interval '1500 milliseconds' "
        "WHERE node = 'a'");
    auto b = node("b");
    const auto asked = steady_clock::now();
    auto* waiting = start(*b, {1, 0});
    settle();
    EXPECT_TRUE(granted(waiting).holds_fleet_slot());
    EXPECT_GT(waiting->at - asked, 1000ms) << "the live node's call did not count";
    EXPECT_LT(waiting->at - asked, 3000ms);
}

TEST_F(FleetBudget, ANodeStartingAgainEndsTheCallsItsEarlierProcessLeft) {
    {
        auto earlier = must(transcript::postgres_budget::open(conninfo, "b"));
        ASSERT_TRUE(must(earlier->try_start("shared", 1, 0)).call.has_value());
    }
    auto b = node("b");
    start(*b, {1, 0});
    settle(3s);
    EXPECT_TRUE(granted(calls.back().get()).holds_fleet_slot());
}

TEST_F(FleetBudget, ACleanStopEndsEveryCallOfTheNode) {
    auto a = node("a");
    start(*a, {4, 0});
    settle();
    granted(calls.back().get());  // connected, and given back
    // A call of this node whose ticket never came back (a coroutine the loop never resumed).
    auto lost = must(transcript::postgres_budget::open(conninfo, "a"));
    ASSERT_TRUE(must(lost->try_start("shared", 4, 0)).call.has_value());
    ASSERT_EQ(unfinished(), "1");
    a.reset();
    EXPECT_EQ(unfinished(), "0");
}

TEST_F(FleetBudget, AnUnreachableDatabaseLeavesTheLocalLimitsInForceAndSaysSoOnce) {
    test::postgres_server gone;
    const std::string info = gone.conninfo();
    gone.stop();
    auto a = node("a", info);
    const auto asked = steady_clock::now();
    auto* first = start(*a, {1, 0});
    auto* second = start(*a, {1, 0});
    settle(8s);
    EXPECT_LT(steady_clock::now() - asked, 6s);
    EXPECT_FALSE(granted(first).holds_fleet_slot());
    EXPECT_FALSE(granted(second).holds_fleet_slot());
    const std::string log = said.str();
    EXPECT_NE(log.find("provider limits hold per node"), std::string::npos) << log;
    EXPECT_EQ(log.find("provider limits hold per node"), log.rfind("provider limits hold per node"))
        << "the warning was repeated: " << log;
}

TEST_F(FleetBudget, ADatabaseThatGoesAwayLeavesTheLocalLimitsInForceAtOnce) {
    test::postgres_server own;
    test::sql_client{own.conninfo()}.execute(
        "CREATE TABLE nodes (node text PRIMARY KEY, address text, expires_at timestamptz)");
    auto a = node("a", own.conninfo());
    start(*a, {1, 0});
    settle();
    ticket held = granted(calls.back().get());
    ASSERT_TRUE(held.holds_fleet_slot());
    own.kill();
    held.release();  // to a database that is gone: neither blocks nor throws
    const auto asked = steady_clock::now();
    start(*a, {1, 0});
    start(*a, {1, 0});
    settle(8s);
    EXPECT_LT(steady_clock::now() - asked, 6s);
    EXPECT_FALSE(granted(calls[1].get()).holds_fleet_slot());
    EXPECT_FALSE(granted(calls[2].get()).holds_fleet_slot());
    EXPECT_NE(said.str().find("provider limits hold per node"), std::string::npos) << said.str();
}

TEST_F(FleetBudget, ADatabaseWithoutTheStoreSchemaIsRefusedWithTheReason) {
    sql().execute("DROP TABLE nodes");
    auto a = node("a");
    start(*a, {1, 0});
    settle();
    EXPECT_FALSE(granted(calls.back().get()).holds_fleet_slot());
    EXPECT_NE(said.str().find("no table nodes"), std::string::npos) << said.str();
}

TEST_F(FleetBudget, OldRowsArePrunedAndLiveOnesKept) {
    auto budget = must(transcript::postgres_budget::open(conninfo, "a"));
    const auto kept = must(budget->try_start("shared", 10, 0)).call.value_or(0);
    const auto done = must(budget->try_start("shared", 10, 0)).call.value_or(0);
    ASSERT_TRUE(budget->finish(done));
    sql().execute("UPDATE provider_calls SET started_at = now() - interval '2 minutes'");
    EXPECT_EQ(must(budget->prune()), 1);
    EXPECT_EQ(sql().value("SELECT id FROM provider_calls"), std::to_string(kept));
}

}  // namespace
}  // namespace polylogue::app
