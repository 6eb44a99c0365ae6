// An HTTP provider's max_in_flight held across two nodes: two event loops on two threads, each
// with its own client, provider and fleet budget (its own connection to one real PostgreSQL),
// send to one fake OpenAI-compatible server. Each answer takes 200 ms, so the server's arrival
// times tell how many requests it had at once.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <thread>

#include "app/fleet_budget.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "support/fake_server.hpp"
#include "support/loop.hpp"
#include "support/postgres_server.hpp"
#include "support/provider_streams.hpp"

namespace polylogue::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr auto answer_time = 200ms;

// One daemon of the fleet, as far as one provider goes.
struct fleet_node {
    asio::io_context loop;
    http::client client{loop.get_executor()};
    std::unique_ptr<fleet_budget> budget;
    std::unique_ptr<providers::provider> provider;
    std::atomic<int> succeeded{0};

    fleet_node(const std::string& conninfo, const std::string& name,
               const config::provider& endpoint, bool shared) {
        if (shared) {
            budget = std::make_unique<fleet_budget>(
                conninfo, name,
                std::make_shared<spdlog::logger>("budget-" + name,
                                                 std::make_shared<spdlog::sinks::null_sink_mt>()));
        }
        providers::provider_context context;
        context.client = &client;
        context.environment = [](std::string_view) -> std::optional<std::string> {
            return std::nullopt;
        };
        context.fleet_budget = budget.get();
        provider = providers::make_provider(endpoint, context).value();
    }
};

asio::awaitable<void> complete_one(fleet_node* node, const config::model* model) {
    providers::completion_request request;
    request.room = "fleet";
    request.model = model;
    request.messages.system = "be brief";
    request.messages.turns.push_back({providers::turn_role::user, providers::json_text{"hi"}});
    const auto outcome = co_await node->provider->complete(std::move(request));
    node->succeeded += outcome ? 1 : 0;
}

// The most requests that were at the server at once: each is there from its arrival until its
// answer, answer_time later (a little less, for the clocks' slop).
std::size_t most_at_once(const std::vector<test::recorded_request>& requests) {
    std::size_t most = 0;
    for (const auto& r : requests) {
        const auto overlapping =
            std::count_if(requests.begin(), requests.end(), [&](const auto& o) {
                return o.received <= r.received && r.received < o.received + answer_time - 10ms;
            });
        most = std::max(most, static_cast<std::size_t>(overlapping));
    }
    return most;
}

class FleetProviderCaps : public ::testing::Test {
  protected:
    test::postgres_server database;
    test::fake_server server;
    config::provider endpoint;
    config::model model;
    std::string conninfo;

    void SetUp() override {
        conninfo = database.create_database("caps");
        test::sql_client{conninfo}.execute(
            "CREATE TABLE nodes (node text PRIMARY KEY, address text, expires_at timestamptz);"
            "INSERT INTO nodes VALUES ('a', '', now() + interval '1 hour'), "
            "('b', '', now() + interval '1 hour')");
        server.on_request([](const auto&) {
            auto r = test::fake_response::sse(test::openai_stream("fine"));
            r.header_delay = answer_time;
            return r;
        });
        endpoint.name = "capped";
        endpoint.kind = config::provider_kind::openai;
        endpoint.base_url = server.base_url() + "/v1";
        endpoint.max_in_flight = 2;
        endpoint.retry.attempts = 1;
        model.name = "Capped";
        model.provider = "capped";
        model.id = "capped-1";
    }

    // Four completions at once on each of two nodes, each node on a thread of its own.
    int run_two_nodes(bool shared) {
        fleet_node a{conninfo, "a", endpoint, shared};
        fleet_node b{conninfo, "b", endpoint, shared};
        for (fleet_node* node : {&a, &b}) {
            for (int i = 0; i < 4; ++i) {
                asio::co_spawn(node->loop, complete_one(node, &model), asio::detached);
            }
        }
        std::thread other{[&b] { b.loop.run_for(15s); }};
        test::run_with_limit(a.loop, 15s);
        other.join();
        EXPECT_TRUE(b.loop.stopped()) << "node b's loop still had work after 15 s";
        return a.succeeded + b.succeeded;
    }
};

TEST_F(FleetProviderCaps, TwoNodesNeverHaveMoreRequestsAtTheProviderThanMaxInFlight) {
    EXPECT_EQ(run_two_nodes(true), 8);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 8U);
    EXPECT_EQ(most_at_once(requests), 2U);
}

// The same two nodes without a fleet budget: each keeps to max_in_flight alone, so the provider
// sees twice as many. What the test above would see if the fleet's slots were not taken.
TEST_F(FleetProviderCaps, WithoutAFleetBudgetEachNodeKeepsToItsOwnLimitOnly) {
    EXPECT_EQ(run_two_nodes(false), 8);
    EXPECT_EQ(most_at_once(server.requests()), 4U);
}

}  // namespace
}  // namespace polylogue::app
