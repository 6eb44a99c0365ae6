// An HTTP provider's max_in_flight cap against a fake OpenAI-compatible server on loopback:
// never more requests at once than the cap, slots handed out in the order they were asked
// for, and a slot given back when an attempt ends in an exception.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "support/fake_server.hpp"
#include "support/loop.hpp"
#include "support/provider_streams.hpp"

namespace polylogue::providers {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::fake_response;
using steady_clock = std::chrono::steady_clock;

completion_request asking(const config::model& model, const std::string& words) {
    completion_request request;
    request.room = "caps";
    request.model = &model;
    request.messages.system = "be brief";
    request.messages.turns.push_back({turn_role::user, json_text{words}});
    return request;
}

bool succeeded(const completion_outcome& outcome) {
    return outcome.has_value();
}

asio::awaitable<void> complete_later(provider* p, completion_request request,
                                     std::chrono::milliseconds delay, int* done) {
    asio::steady_timer timer{co_await asio::this_coro::executor, delay};
    co_await timer.async_wait(asio::use_awaitable);
    const auto outcome = co_await p->complete(std::move(request));
    *done += succeeded(outcome) ? 1 : 0;
}

class ProviderCaps : public ::testing::Test {
  protected:
    asio::io_context loop;
    test::fake_server server;
    config::provider endpoint;
    config::model model;
    std::unique_ptr<http::client> client;
    std::unique_ptr<provider> capped;

    void make(int max_in_flight) {
        endpoint.name = "capped";
        endpoint.kind = config::provider_kind::openai;
        endpoint.base_url = server.base_url() + "/v1";
        endpoint.max_in_flight = max_in_flight;
        endpoint.retry.attempts = 1;
        model.name = "Capped";
        model.provider = "capped";
        model.id = "capped-1";
        client = std::make_unique<http::client>(loop.get_executor(), http::client_limits{},
                                                http::proxy_settings{});
        provider_context context;
        context.client = client.get();
        context.environment = [](std::string_view) -> std::optional<std::string> {
            return std::nullopt;
        };
        capped = make_provider(endpoint, context).value();
    }

    // Starts one completion per word, 10 ms apart, and runs them all.
    int complete_all(const std::vector<std::string>& words) {
        int done = 0;
        for (std::size_t i = 0; i < words.size(); ++i) {
            asio::co_spawn(loop,
                           complete_later(capped.get(), asking(model, words[i]),
                                          std::chrono::milliseconds{10 * i}, &done),
                           asio::detached);
        }
        test::run_with_limit(loop, 10s);
        return done;
    }

    // The words of each request the server got, in the order it got them.
    std::vector<std::string> asked_in_order() const {
        std::vector<std::string> out;
        for (const auto& request : server.requests()) {
            for (const auto& word : {"one", "two", "three", "four", "five", "six"}) {
                if (request.body.find(std::string{"\""} + word + "\"") != std::string::npos) {
                    out.emplace_back(word);
                }
            }
        }
        return out;
    }
};

fake_response slow_reply() {
    auto r = fake_response::sse(test::openai_stream("fine"));
    r.header_delay = 200ms;
    return r;
}

TEST_F(ProviderCaps, NoMoreRequestsReachTheProviderAtOnceThanMaxInFlight) {
    server.on_request([](const auto&) { return slow_reply(); });
    make(2);
    EXPECT_EQ(complete_all({"one", "two", "three", "four", "five", "six"}), 6);
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 6u);
    // Each answer takes 200 ms: a third request can only start once one of two has ended.
    for (std::size_t i = 2; i < requests.size(); ++i) {
        EXPECT_GE(requests[i].received - requests[i - 2].received, 150ms) << "request " << i;
    }
}

TEST_F(ProviderCaps, SlotsGoInTheOrderTheyWereAskedFor) {
    server.on_request([](const auto&) { return slow_reply(); });
    make(1);
    EXPECT_EQ(complete_all({"one", "two", "three", "four"}), 4);
    EXPECT_EQ(asked_in_order(), (std::vector<std::string>{"one", "two", "three", "four"}));
}

asio::awaitable<bool> complete_with_a_throwing_watcher(provider* p, completion_request request) {
    request.on_text = [](std::string_view) { throw std::runtime_error{"the watcher failed"}; };
    try {
        co_await p->complete(std::move(request));
    } catch (const std::runtime_error&) {
        co_return true;
    }
    co_return false;
}

asio::awaitable<bool> complete_once(provider* p, completion_request request) {
    co_return succeeded(co_await p->complete(std::move(request)));
}

TEST_F(ProviderCaps, AnAttemptThatThrowsGivesItsSlotBack) {
    server.on_request(
        [](const auto&) { return fake_response::sse(test::openai_stream("fine words")); });
    make(1);
    EXPECT_TRUE(*test::run_coroutine(
        loop, complete_with_a_throwing_watcher(capped.get(), asking(model, "one")), 5s));
    const auto next =
        test::run_coroutine(loop, complete_once(capped.get(), asking(model, "two")), 3s);
    ASSERT_TRUE(next.has_value()) << "the second request never got the slot";
    EXPECT_TRUE(*next);
    EXPECT_EQ(server.requests().size(), 2u);
}

}  // namespace
}  // namespace polylogue::providers
