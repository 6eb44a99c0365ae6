// The HTTP provider in process, against loopback fake servers: its retries, its in-flight cap,
// its requests-per-minute budget and its deadlines, each on one io_context with a time limit, so
// that a failure names the function that broke rather than a daemon that misbehaved.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>

#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "support/fake_server.hpp"
#include "support/faulty_provider.hpp"
#include "support/provider_streams.hpp"

namespace polylogue::providers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::fake_response;
using test::fake_server;
using test::fault;

config::provider openai_endpoint(const std::string& base_url) {
    config::provider endpoint;
    endpoint.name = "loopback";
    endpoint.kind = config::provider_kind::openai;
    endpoint.base_url = base_url;
    endpoint.retry.attempts = 3;
    endpoint.retry.initial_backoff = 10ms;  // short, so a longer gap is the server's asking
    endpoint.retry.max_backoff = 20ms;
    endpoint.timeouts.connect = 2s;
    endpoint.timeouts.first_byte = 5s;
    endpoint.timeouts.idle = 5s;
    endpoint.timeouts.total = 10s;
    return endpoint;
}

// A deck dealt in this order, again and again.
test::fault_deck in_order(std::vector<fault> faults) {
    test::fault_deck deck;
    deck.sequence = std::move(faults);
    return deck;
}

asio::awaitable<void> complete_into(provider* target, completion_request request,
                                    std::optional<completion_outcome>* out) {
    *out = co_await target->complete(std::move(request));
}

class HttpProvider : public ::testing::Test {
  protected:
    std::unique_ptr<config::provider> held_endpoint;  // outlives the provider that refers to it
    // Declared before the loop so it outlives it: a call still waiting when the test ends holds
    // a slot of its semaphore until the loop's destructor frees the call's frame.
    std::unique_ptr<provider> target;
    asio::io_context loop;
    http::client client{loop.get_executor(), {}, http::proxy_settings{}};
    config::model model;
    int restarts = 0;
    std::string streamed;

    HttpProvider() {
        model.name = "Loopback";
        model.provider = "loopback";
        model.id = "loopback-1";
    }

    // The provider keeps a reference to its config entry (the config outlives its providers),
    // so the fixture holds the entry for as long as the provider lives.
    provider& make(const config::provider& endpoint,
                   std::optional<std::string> key = std::nullopt) {
        target.reset();
        held_endpoint = std::make_unique<config::provider>(endpoint);
        provider_context context;
        context.client = &client;
        context.environment = [key](std::string_view) { return key; };
        target = make_provider(*held_endpoint, context).value();
        return *target;
    }

    completion_request request() {
        completion_request req;
        req.room = "test";
        req.model = &model;
        req.messages.system = "You are a test.";
        req.on_text = [this](std::string_view text) { streamed += text; };
        req.on_restart = [this] {
            ++restarts;
            streamed.clear();
        };
        return req;
    }

    // Runs the loop until wanted of the calls have ended or limit passes; how many have.
    std::size_t run_until_ended(const std::vector<std::optional<completion_outcome>>& outcomes,
                                std::size_t wanted, std::chrono::milliseconds limit) {
        const auto ended = [&] {
            return static_cast<std::size_t>(std::ranges::count_if(
                outcomes, [](const auto& outcome) { return outcome.has_value(); }));
        };
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (ended() < wanted && std::chrono::steady_clock::now() < deadline) {
            loop.run_one_for(50ms);
        }
        return ended();
    }

    // Starts count calls at once and runs the loop until all have ended (or limit passes).
    std::vector<std::optional<completion_outcome>> run_calls(std::size_t count,
                                                             std::chrono::milliseconds limit) {
        std::vector<std::optional<completion_outcome>> outcomes(count);
        for (auto& out : outcomes) {
            asio::co_spawn(loop, complete_into(target.get(), request(), &out), asio::detached);
        }
        run_until_ended(outcomes, outcomes.size(), limit);
        return outcomes;
    }

    completion_outcome run_one(std::chrono::milliseconds limit = 10s) {
        auto outcomes = run_calls(1, limit);
        if (!outcomes.front()) {
            ADD_FAILURE() << "the call did not end within " << limit.count() << " ms";
            return api_failure{};
        }
        return std::move(*outcomes.front());
    }
};

TEST_F(HttpProvider, A429IsRetriedNoSoonerThanItsRetryAfter) {
    test::faulty_provider server{test::api_kind::openai,
                                 in_order({fault::rate_limited, fault::none}), 1};
    make(openai_endpoint(server.base_url()));
    const auto outcome = run_one();
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    const auto* reply = &*outcome;
    EXPECT_EQ(reply->attempts, 2);
    EXPECT_GE(reply->latency, 1s) << "the retry did not wait the 1 s the server asked for";
    const auto ledger = server.ledger();
    ASSERT_EQ(ledger.size(), 1u) << "the retry sent a different body";
    EXPECT_EQ(ledger.front().tries, (std::vector{fault::rate_limited, fault::none}));
    EXPECT_EQ(reply->text, ledger.front().reply);
}

TEST_F(HttpProvider, A503EveryTimeEndsAfterTheConfiguredAttemptsAndSaysHowMany) {
    test::faulty_provider server{test::api_kind::openai, in_order({fault::unavailable}), 1};
    make(openai_endpoint(server.base_url()));
    const auto outcome = run_one();
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->http_status, 503);
    EXPECT_EQ(failure->kind, failure_kind::retriable);
    EXPECT_EQ(failure->attempts, 3);
    EXPECT_EQ(server.requests(), 3u);
    EXPECT_EQ(restarts, 2) << "every retry announces itself so watchers drop partial text";
}

TEST_F(HttpProvider, AStreamCutOffMidwayIsRetriedAndOnlyTheWholeReplyRemains) {
    test::faulty_provider server{test::api_kind::openai,
                                 in_order({fault::cut_mid_stream, fault::none}), 1};
    make(openai_endpoint(server.base_url()));
    const auto outcome = run_one();
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    const auto* reply = &*outcome;
    EXPECT_EQ(reply->attempts, 2);
    EXPECT_EQ(restarts, 1);
    EXPECT_EQ(reply->text, server.ledger().front().reply);
    EXPECT_EQ(streamed, reply->text) << "the cut attempt's text was not dropped";
}

TEST_F(HttpProvider, MaxInFlightHoldsTheThirdCallUntilOneOfTwoEnds) {
    fake_server server;
    server.on_request([](const test::recorded_request&) {
        auto answer = fake_response::sse(test::openai_stream("held for a while"));
        answer.header_delay = 300ms;
        return answer;
    });
    auto endpoint = openai_endpoint(server.base_url());
    endpoint.max_in_flight = 2;
    make(endpoint);
    const auto outcomes = run_calls(4, 10s);
    for (const auto& outcome : outcomes) {
        ASSERT_TRUE(outcome && outcome->has_value());
    }
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 4u);
    std::ranges::sort(requests, {}, &test::recorded_request::received);
    // The third starts once an answer that took 300 ms to begin has ended.
    EXPECT_GE(requests[2].received - requests[0].received, 290ms);
    EXPECT_GE(requests[3].received - requests[1].received, 290ms);
}

TEST_F(HttpProvider, RequestsPerMinuteHoldsTheCallPastTheBudgetOnATimer) {
    fake_server server;
    server.on_request([](const test::recorded_request&) {
        return fake_response::sse(test::openai_stream("within budget"));
    });
    auto endpoint = openai_endpoint(server.base_url());
    endpoint.requests_per_minute = 2;
    make(endpoint);
    std::vector<std::optional<completion_outcome>> outcomes(3);
    for (auto& out : outcomes) {
        asio::co_spawn(loop, complete_into(target.get(), request(), &out), asio::detached);
    }
    ASSERT_EQ(run_until_ended(outcomes, 2, 10s), 2u);
    // Nothing is left to run but timers: the third call waits for the minute to free a start.
    while (loop.poll() > 0) {
    }
    EXPECT_FALSE(outcomes[2].has_value());
    EXPECT_EQ(server.requests().size(), 2u);
    loop.stop();
}

TEST_F(HttpProvider, TheFirstByteDeadlineEndsAnAttemptThatNeverAnswers) {
    fake_server server;
    server.on_request([](const test::recorded_request&) {
        auto answer = fake_response::sse(test::openai_stream("too late"));
        answer.header_delay = 5s;
        return answer;
    });
    auto endpoint = openai_endpoint(server.base_url());
    endpoint.retry.attempts = 1;
    endpoint.timeouts.first_byte = 200ms;
    make(endpoint);
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_one();
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->type, "transport");
    EXPECT_EQ(failure->kind, failure_kind::retriable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(HttpProvider, AMissingKeyFailsAtOnceWithoutARequest) {
    fake_server server;
    server.on_request([](const test::recorded_request&) { return fake_response::json(200, "{}"); });
    auto endpoint = openai_endpoint(server.base_url());
    endpoint.api_key_env = "PL_TEST_UNSET_KEY";
    make(endpoint);
    const auto outcome = run_one();
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->kind, failure_kind::authentication);
    EXPECT_EQ(failure->type, "missing_api_key");
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpProvider, TheKeyGoesOutAsABearerAndAnErrorEchoingItComesBackRedacted) {
    const std::string key = "sk-loopback-0123456789abcdef0123456789";
    fake_server server;
    server.on_request([key](const test::recorded_request&) {
        return fake_response::json(401, "<html><body>bad key " + key + "</body></html>");
    });
    auto endpoint = openai_endpoint(server.base_url());
    endpoint.api_key_env = "PL_TEST_KEY";
    make(endpoint, key);
    const auto outcome = run_one();
    ASSERT_FALSE(outcome.has_value());
    const api_failure failure_value = outcome.error();
    const api_failure* failure = &failure_value;
    EXPECT_EQ(failure->kind, failure_kind::authentication);
    EXPECT_EQ(failure->message.find(key), std::string::npos) << failure->message;
    EXPECT_NE(failure->message.find("bad key"), std::string::npos) << failure->message;
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests().front().header("authorization"), "Bearer " + key);
}

}  // namespace
}  // namespace polylogue::providers
