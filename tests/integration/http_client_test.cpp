// The shared HTTP(S) client against real servers on loopback.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <stdexcept>

#include "polylogue/http/client.hpp"
#include "support/fake_server.hpp"
#include "support/loop.hpp"
#include "support/test_ca.hpp"

namespace polylogue::http {
namespace {

using namespace std::chrono_literals;
using test::fake_response;
using test::fake_server;

struct streamed {
    result<response> answer{errc::cancelled};
    std::vector<std::string> chunks;
};

boost::asio::awaitable<streamed> send_streaming(client* c, request req) {
    streamed out;
    out.answer = co_await c->send(
        std::move(req), [&out](std::string_view chunk) { out.chunks.emplace_back(chunk); });
    co_return out;
}

boost::asio::awaitable<result<response>> send_plain(client* c, request req) {
    co_return co_await c->send(std::move(req));
}

class HttpClient : public ::testing::Test {
  protected:
    boost::asio::io_context loop;
    client_limits limits;
    std::unique_ptr<client> http;

    void make_client() {
        http = std::make_unique<client>(loop.get_executor(), limits, proxy_settings{});
    }

    result<response> send(request req) {
        if (!http) {
            make_client();
        }
        return *test::run_coroutine(loop, send_plain(http.get(), std::move(req)));
    }
};

request post(const fake_server& server, std::string path = "/v1/echo") {
    request req;
    req.url = server.base_url() + path;
    req.headers = {{"content-type", "application/json"}, {"x-test", "yes"}};
    req.body = R"({"hello":"world"})";
    return req;
}

TEST_F(HttpClient, PostsAndReadsTheWholeResponse) {
    fake_server server;
    server.on_request([](const auto&) {
        return fake_response::json(201, R"({"ok":true})", {{"x-id", "7"}});
    });
    const auto answer = send(post(server));
    ASSERT_TRUE(answer) << answer.error().message();
    EXPECT_EQ(answer->status, 201);
    EXPECT_EQ(answer->body, R"({"ok":true})");
    EXPECT_EQ(answer->header("x-id"), "7");
    const auto seen = server.requests().at(0);
    EXPECT_EQ(seen.method, "POST");
    EXPECT_EQ(seen.target, "/v1/echo");
    EXPECT_EQ(seen.header("x-test"), "yes");
    EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen.body, R"({"hello":"world"})");
}

TEST_F(HttpClient, ErrorStatusesAreResponsesNotFailures) {
    fake_server server;
    server.on_request([](const auto&) {
        return fake_response::json(429, R"({"error":{}})", {{"retry-after", "2"}});
    });
    const auto answer = send(post(server));
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 429);
    EXPECT_EQ(answer->header("retry-after"), "2");
}

TEST_F(HttpClient, KeepAliveConnectionIsReused) {
    fake_server server;
    server.on_request([](const auto&) { return fake_response::json(200, "{}"); });
    ASSERT_TRUE(send(post(server)));
    ASSERT_TRUE(send(post(server)));
    ASSERT_TRUE(send(post(server)));
    EXPECT_EQ(server.connections_accepted(), 1u);
    EXPECT_EQ(http->stats().connections_reused, 2u);
}

// The check for a connection closed while pooled must not mistake TLS records for a close.
TEST_F(HttpClient, HttpsKeepAliveConnectionIsReused) {
    fake_server server{fake_server::scheme::https};
    server.on_request([](const auto&) { return fake_response::json(200, "{}"); });
    auto req = post(server);
    req.ca_file = test::test_ca::instance().ca_file.string();
    ASSERT_TRUE(send(req));
    ASSERT_TRUE(send(req));
    ASSERT_TRUE(send(req));
    EXPECT_EQ(server.connections_accepted(), 1u);
    EXPECT_EQ(http->stats().connections_reused, 2u);
}

TEST_F(HttpClient, HttpsVerifiesTheServerAgainstTheGivenCa) {
    fake_server server{fake_server::scheme::https};
    server.on_request([](const auto&) { return fake_response::json(200, R"({"secure":true})"); });
    auto req = post(server);
    req.ca_file = test::test_ca::instance().ca_file.string();
    const auto answer = send(req);
    ASSERT_TRUE(answer) << answer.error().message();
    EXPECT_EQ(answer->body, R"({"secure":true})");
}

TEST_F(HttpClient, HttpsRefusesAServerTheSystemStoreDoesNotTrust) {
    fake_server server{fake_server::scheme::https};
    server.on_request([](const auto&) { return fake_response::json(200, "{}"); });
    const auto answer = send(post(server));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error(), errc::tls_failed);
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClient, HttpsRefusesACertificateForAnotherHostName) {
    fake_server server{fake_server::scheme::https};
    server.on_request([](const auto&) { return fake_response::json(200, "{}"); });
    auto req = post(server);
    req.url = "https://127.0.0.2:" + std::to_string(server.port()) + "/v1/echo";
    req.ca_file = test::test_ca::instance().ca_file.string();
    const auto answer = send(req);
    ASSERT_FALSE(answer);
}

TEST_F(HttpClient, StreamedBodyArrivesInChunks) {
    fake_server server;
    server.on_request([](const auto&) {
        auto r = fake_response::sse({"data: one\n\n", "data: two\n\n", "data: three\n\n"});
        r.chunk_delay = 20ms;
        return r;
    });
    make_client();
    const auto out = *test::run_coroutine(loop, send_streaming(http.get(), post(server)));
    ASSERT_TRUE(out.answer) << out.answer.error().message();
    std::string joined;
    for (const auto& c : out.chunks) {
        joined += c;
    }
    EXPECT_EQ(joined, "data: one\n\ndata: two\n\ndata: three\n\n");
    EXPECT_GE(out.chunks.size(), 3u);
    EXPECT_TRUE(out.answer->body.empty());
}

TEST_F(HttpClient, SlowHeadersHitTheHeaderDeadline) {
    fake_server server;
    server.on_request([](const auto&) {
        auto r = fake_response::json(200, "{}");
        r.header_delay = 2s;
        return r;
    });
    limits.header_timeout = 200ms;
    const auto answer = send(post(server));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error(), errc::header_timeout);
}

TEST_F(HttpClient, StalledStreamHitsTheIdleDeadline) {
    fake_server server;
    server.on_request([](const auto&) {
        auto r = fake_response::sse({"data: one\n\n", "data: two\n\n"});
        r.chunk_delay = 2s;
        return r;
    });
    limits.idle_timeout = 200ms;
    make_client();
    const auto out = *test::run_coroutine(loop, send_streaming(http.get(), post(server)));
    ASSERT_FALSE(out.answer);
    EXPECT_EQ(out.answer.error(), errc::idle_timeout);
}

TEST_F(HttpClient, ConnectionCutMidStreamIsConnectionClosed) {
    fake_server server;
    server.on_request([](const auto&) {
        auto r = fake_response::sse({"data: one\n\n", "data: two\n\n"});
        r.cut_after_chunks = true;
        return r;
    });
    make_client();
    const auto out = *test::run_coroutine(loop, send_streaming(http.get(), post(server)));
    ASSERT_FALSE(out.answer);
    EXPECT_EQ(out.answer.error(), errc::connection_closed);
}

TEST_F(HttpClient, OversizedBodyIsRefused) {
    fake_server server;
    server.on_request(
        [](const auto&) { return fake_response::json(200, std::string(100'000, 'x')); });
    limits.max_body_bytes = 10'000;
    const auto answer = send(post(server));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error(), errc::response_too_large);
}

TEST_F(HttpClient, WholeCallDeadlineBoundsASlowTrickle) {
    fake_server server;
    server.on_request([](const auto&) {
        auto r = fake_response::sse({"a", "b", "c", "d", "e", "f", "g", "h"});
        r.chunk_delay = 150ms;
        return r;
    });
    auto req = post(server);
    req.total_timeout = 400ms;
    make_client();
    const auto out = *test::run_coroutine(loop, send_streaming(http.get(), req));
    ASSERT_FALSE(out.answer);
    EXPECT_EQ(out.answer.error(), errc::deadline_exceeded);
}

TEST_F(HttpClient, NothingListeningIsConnectFailed) {
    request req;
    req.url = "http://127.0.0.1:1/never";
    const auto answer = send(req);
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error(), errc::connect_failed);
}

TEST_F(HttpClient, MalformedResponseIsRefused) {
    fake_server server;
    server.on_request([](const auto&) {
        fake_response r;
        r.raw = "SMTP ready\r\n\r\n";
        return r;
    });
    const auto answer = send(post(server));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error(), errc::malformed_response);
}

// Starts after `delay`, sends, and notes the outcome and when it came.
struct timed_outcome {
    result<response> answer{errc::cancelled};
    std::chrono::steady_clock::duration after{};
};

boost::asio::awaitable<void> send_later(client* c, request req, std::chrono::milliseconds delay,
                                        std::chrono::steady_clock::time_point began,
                                        timed_outcome* out) {
    boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, delay};
    co_await timer.async_wait(boost::asio::use_awaitable);
    out->answer = co_await c->send(std::move(req));
    out->after = std::chrono::steady_clock::now() - began;
}

// Issue 10: a waiter that timed out stayed in the queue and took the wake-up meant for the
// next one, which then failed at its own deadline though the connection was long free.
TEST_F(HttpClient, AStalledWaiterDoesNotStealTheConnectionSlot) {
    fake_server server;
    auto count = std::make_shared<std::atomic<int>>(0);
    server.on_request([count](const auto&) {
        auto r = fake_response::json(200, "{}");
        if (++*count == 1) {
            r.header_delay = 600ms;
        }
        return r;
    });
    limits.max_connections_per_host = 1;
    make_client();
    auto slow = post(server);
    auto impatient = post(server);
    impatient.total_timeout = 200ms;
    auto patient = post(server);
    patient.total_timeout = 4s;
    const auto began = std::chrono::steady_clock::now();
    timed_outcome first, second, third;
    boost::asio::co_spawn(loop, send_later(http.get(), slow, 0ms, began, &first),
                          boost::asio::detached);
    boost::asio::co_spawn(loop, send_later(http.get(), impatient, 10ms, began, &second),
                          boost::asio::detached);
    boost::asio::co_spawn(loop, send_later(http.get(), patient, 20ms, began, &third),
                          boost::asio::detached);
    test::run_with_limit(loop, 8s);
    ASSERT_TRUE(first.answer) << first.answer.error().message();
    ASSERT_FALSE(second.answer);
    EXPECT_EQ(second.answer.error(), errc::deadline_exceeded);
    ASSERT_TRUE(third.answer)
        << third.answer.error().message() << " after "
        << std::chrono::duration_cast<std::chrono::milliseconds>(third.after).count() << " ms";
    EXPECT_LT(third.after, 2s) << "the connection was free after 0.6 s";
}

boost::asio::awaitable<bool> send_with_a_throwing_handler(client* c, request req) {
    try {
        co_await c->send(std::move(req),
                         [](std::string_view) { throw std::runtime_error{"handler failed"}; });
    } catch (const std::runtime_error&) {
        co_return true;
    }
    co_return false;
}

TEST_F(HttpClient, AnAttemptThatThrowsDoesNotLeakItsConnectionSlot) {
    fake_server server;
    server.on_request([](const auto&) { return fake_response::sse({"data: one\n\n"}); });
    limits.max_connections_per_host = 1;
    make_client();
    EXPECT_TRUE(*test::run_coroutine(loop, send_with_a_throwing_handler(http.get(), post(server))));
    auto next = post(server);
    next.total_timeout = 2s;
    const auto answer = send(next);
    ASSERT_TRUE(answer) << answer.error().message();
    EXPECT_EQ(answer->status, 200);
}

// Every request that reached the server is an attempt its caller counts: a POST whose
// kept-alive connection closes after the request went out is not sent again behind its back.
TEST_F(HttpClient, APostIsNotResentWhenItsKeptAliveConnectionDropsAfterTheRequest) {
    fake_server server;
    auto count = std::make_shared<std::atomic<int>>(0);
    server.on_request([count](const auto&) {
        auto r = fake_response::json(200, "{}");
        r.drop_request = ++*count == 2;
        return r;
    });
    ASSERT_TRUE(send(post(server)));
    const auto dropped = send(post(server));
    ASSERT_FALSE(dropped);
    EXPECT_EQ(dropped.error(), errc::connection_closed);
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(HttpClient, AGetIsResentOnceWhenItsKeptAliveConnectionDropsAfterTheRequest) {
    fake_server server;
    auto count = std::make_shared<std::atomic<int>>(0);
    server.on_request([count](const auto&) {
        auto r = fake_response::json(200, "{}");
        r.drop_request = ++*count == 2;
        return r;
    });
    auto get = post(server);
    get.method = "GET";
    get.body.clear();
    ASSERT_TRUE(send(get));
    const auto again = send(get);
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(server.requests().size(), 3u);
}

boost::asio::awaitable<result<response>> send_after_a_pause(client* c, request req) {
    boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, 100ms};
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return co_await c->send(std::move(req));
}

// A server may close a kept-alive connection while it sits in the pool; the client notices
// before it writes, so the request goes out once, on a fresh connection.
TEST_F(HttpClient, AConnectionTheServerClosedWhileIdleIsNotReused) {
    fake_server server;
    auto count = std::make_shared<std::atomic<int>>(0);
    server.on_request([count](const auto&) {
        auto r = fake_response::json(200, "{}");
        r.close_after_answer = ++*count == 1;
        return r;
    });
    ASSERT_TRUE(send(post(server)));
    const auto second = *test::run_coroutine(loop, send_after_a_pause(http.get(), post(server)));
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(server.requests().size(), 2u);
    EXPECT_EQ(server.connections_accepted(), 2u);
    EXPECT_EQ(http->stats().connections_reused, 0u);
}

}  // namespace
}  // namespace polylogue::http
