// The shared HTTP(S) client against real servers on loopback.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

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

}  // namespace
}  // namespace polylogue::http
