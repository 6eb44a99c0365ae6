// The control API's HTTP server when its connection slots run out: idle and silent peers make
// room for a new one, busy ones never do, and a peer that sends no headers is not kept long.

#include <gtest/gtest.h>

#include "support/server_harness.hpp"

namespace polylogue::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr std::string_view keep_alive_get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr std::string_view closing_get = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

class HttpServerCapacity : public test::server_fixture {
  protected:
    void SetUp() override {
        handler.respond = [](const server_request&) { return test::text_response(200, "ok"); };
    }
};

struct eviction_outcome {
    std::string newcomer;
    std::string left_to_the_evicted;
    std::string survivor;
};

// Opens two connections, the older one first, and makes a kept-alive request on one of them
// (the other stays silent); then a newcomer comes. Tells what each then gets.
asio::awaitable<eviction_outcome> crowd(server* srv, bool older_is_kept_alive) {
    eviction_outcome out;
    auto older = co_await test::connect_raw(srv->port());
    co_await test::sleep_for(30ms);
    auto younger = co_await test::connect_raw(srv->port());
    auto* kept_alive = older_is_kept_alive ? &older : &younger;
    auto* silent = older_is_kept_alive ? &younger : &older;
    co_await test::send_raw(kept_alive, std::string{keep_alive_get});
    co_await test::read_until_tail(kept_alive, "ok");
    co_await test::sleep_for(30ms);
    out.newcomer = co_await test::exchange_raw(srv->port(), std::string{closing_get});
    // The kept-alive one goes first, whichever is older.
    out.left_to_the_evicted = co_await test::read_to_end(kept_alive);
    co_await test::send_raw(silent, std::string{closing_get});
    out.survivor = co_await test::read_to_end(silent);
    co_return out;
}

TEST_F(HttpServerCapacity, AnIdleKeepAliveConnectionMakesRoomForANewOne) {
    settings.max_connections = 2;
    start();
    const auto out = drive(crowd(server.get(), true));
    EXPECT_TRUE(out.newcomer.starts_with("HTTP/1.1 200")) << out.newcomer;
    EXPECT_EQ(out.left_to_the_evicted, "");
    EXPECT_TRUE(out.survivor.starts_with("HTTP/1.1 200")) << out.survivor;
    EXPECT_EQ(server->stats().connections_evicted, 1u);
    EXPECT_EQ(server->stats().connections_refused, 0u);
    EXPECT_TRUE(errors.empty()) << "an eviction is no connection error: " << errors.front();
}

TEST_F(HttpServerCapacity, KeepAliveWaitersAreEvictedBeforeOlderSilentConnections) {
    settings.max_connections = 2;
    start();
    const auto out = drive(crowd(server.get(), false));
    EXPECT_TRUE(out.newcomer.starts_with("HTTP/1.1 200")) << out.newcomer;
    EXPECT_EQ(out.left_to_the_evicted, "");
    EXPECT_TRUE(out.survivor.starts_with("HTTP/1.1 200")) << out.survivor;
    EXPECT_EQ(server->stats().connections_evicted, 1u);
}

struct silent_outcome {
    std::string newcomer;
    std::string left_to_the_oldest;
    std::string younger;
};

asio::awaitable<silent_outcome> crowd_with_silence(server* srv) {
    silent_outcome out;
    auto oldest = co_await test::connect_raw(srv->port());
    co_await test::sleep_for(30ms);
    auto younger = co_await test::connect_raw(srv->port());
    co_await test::send_raw(&younger, "GET / HTTP/1.1\r\n");  // half a request
    co_await test::sleep_for(30ms);
    out.newcomer = co_await test::exchange_raw(srv->port(), std::string{closing_get});
    out.left_to_the_oldest = co_await test::read_to_end(&oldest);
    co_await test::send_raw(&younger, "Host: x\r\nConnection: close\r\n\r\n");
    out.younger = co_await test::read_to_end(&younger);
    co_return out;
}

TEST_F(HttpServerCapacity, TheSilentConnectionWaitingLongestMakesRoom) {
    settings.max_connections = 2;
    start();
    const auto out = drive(crowd_with_silence(server.get()));
    EXPECT_TRUE(out.newcomer.starts_with("HTTP/1.1 200")) << out.newcomer;
    EXPECT_EQ(out.left_to_the_oldest, "");
    EXPECT_TRUE(out.younger.starts_with("HTTP/1.1 200")) << out.younger;
    EXPECT_EQ(server->stats().connections_evicted, 1u);
}

// Writes a line every 20 ms until the peer is gone.
class ticking_stream final : public response_stream {
  public:
    asio::awaitable<void> run(stream_writer& out) override {
        // Not `while (co_await ...)`: GCC 12 miscompiles a co_await in a loop's condition.
        for (;;) {
            const bool written = co_await out.write("tick\n");
            if (!written) {
                co_return;
            }
            co_await test::sleep_for(20ms);
        }
    }
};

struct busy_outcome {
    std::string refused;
    std::uint64_t refusals = 0;
    std::string after_the_stream_left;
};

asio::awaitable<busy_outcome> crowd_a_stream(server* srv) {
    busy_outcome out;
    auto streaming = co_await test::connect_raw(srv->port());
    co_await test::send_raw(&streaming, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await test::read_until_tail(&streaming, "tick\n\r\n");
    // Sends nothing: written to a socket closed at once, a request could meet a reset.
    auto refused = co_await test::connect_raw(srv->port());
    out.refused = co_await test::read_to_end(&refused);
    out.refusals = srv->stats().connections_refused;
    streaming.close();
    for (int i = 0; i < 200 && srv->stats().open_connections > 0; ++i) {
        co_await test::sleep_for(5ms);
    }
    out.after_the_stream_left = co_await test::exchange_raw(srv->port(), std::string{closing_get});
    co_return out;
}

TEST_F(HttpServerCapacity, ABusyConnectionIsNeverEvictedSoTheNewOneIsRefused) {
    settings.max_connections = 1;
    handler.respond = [](const server_request& request) {
        if (request.target != "/stream") {
            return test::text_response(200, "ok");
        }
        server_response streamed;
        streamed.headers = {{"content-type", "text/plain"}};
        streamed.stream = std::make_shared<ticking_stream>();
        return streamed;
    };
    start();
    const auto out = drive(crowd_a_stream(server.get()));
    EXPECT_EQ(out.refused, "");
    EXPECT_EQ(out.refusals, 1u);
    EXPECT_TRUE(out.after_the_stream_left.starts_with("HTTP/1.1 200")) << out.after_the_stream_left;
    EXPECT_EQ(server->stats().connections_evicted, 0u);
}

struct timed_silence {
    std::string bytes;
    std::chrono::milliseconds took{};
};

asio::awaitable<timed_silence> send_half_a_request(std::uint16_t port) {
    const auto began = steady_clock::now();
    timed_silence out;
    out.bytes = co_await test::exchange_raw(port, "GET / HTTP/1.1\r\nHost: x\r\n");
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - began);
    co_return out;
}

TEST_F(HttpServerCapacity, APeerThatSendsNoCompleteHeadersIsClosedAtTheHeaderDeadline) {
    settings.header_timeout = 300ms;  // read_timeout stays 30 s
    start();
    const auto out = drive(send_half_a_request(server->port()));
    EXPECT_EQ(out.bytes, "");
    EXPECT_GE(out.took, 250ms);
    EXPECT_LT(out.took, 3s);
}

asio::awaitable<int> crowd_repeatedly(server* srv, int newcomers) {
    int answered = 0;
    // Every socket stays open on this side: each is idle until the next one evicts it.
    std::vector<asio::ip::tcp::socket> open;
    open.push_back(co_await test::connect_raw(srv->port()));
    for (int i = 0; i < newcomers; ++i) {
        open.push_back(co_await test::connect_raw(srv->port()));
        co_await test::send_raw(&open.back(), std::string{keep_alive_get});
        const auto reply = co_await test::read_until_tail(&open.back(), "ok");
        answered += reply.starts_with("HTTP/1.1 200") ? 1 : 0;
    }
    co_return answered;
}

TEST_F(HttpServerCapacity, AFullServerIsToldOnceAMinuteWithTheCounts) {
    settings.max_connections = 1;
    std::vector<server_stats> told;
    start();
    server->on_full = [&told](const server_stats& stats) { told.push_back(stats); };
    EXPECT_EQ(drive(crowd_repeatedly(server.get(), 5)), 5);
    EXPECT_EQ(server->stats().connections_evicted, 5u);
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].connections_evicted, 1u);
}

}  // namespace
}  // namespace polylogue::http
