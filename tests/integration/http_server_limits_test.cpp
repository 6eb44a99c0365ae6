// The control API's HTTP server against peers that send too much, too little, too slowly or
// too many connections, and its listen address.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/error.hpp>

#include <nlohmann/json.hpp>

#include "polylogue/core/text.hpp"
#include "support/server_harness.hpp"

namespace polylogue::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

std::string error_code_of(const std::string& raw_response) {
    const auto body = nlohmann::json::parse(test::body_of(raw_response), nullptr, false);
    if (body.is_discarded() || !body.contains("error")) {
        return "(not a JSON error: " + test::body_of(raw_response) + ")";
    }
    return body["error"]["code"].get<std::string>();
}

asio::awaitable<std::vector<std::string>> exchange_each(std::uint16_t port,
                                                        std::vector<std::string> requests) {
    std::vector<std::string> replies;
    for (auto& bytes : requests) {
        replies.push_back(co_await test::exchange_raw(port, std::move(bytes)));
    }
    co_return replies;
}

struct timed_reply {
    std::string bytes;
    std::chrono::milliseconds took{};
};

asio::awaitable<timed_reply> exchange_timed(std::uint16_t port, std::string bytes) {
    const auto began = steady_clock::now();
    timed_reply out;
    out.bytes = co_await test::exchange_raw(port, std::move(bytes));
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - began);
    co_return out;
}

class HttpServerLimits : public test::server_fixture {
  protected:
    void SetUp() override {
        handler.respond = [](const server_request&) { return test::text_response(200, "ok"); };
    }

    std::vector<std::string> exchange(std::vector<std::string> requests) {
        start();
        return drive(exchange_each(server->port(), std::move(requests)));
    }
};

TEST_F(HttpServerLimits, HeadersOverTheLimitGet431AsJson) {
    settings.header_limit = 1024;
    const auto replies =
        exchange({"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n"});
    EXPECT_TRUE(replies.at(0).starts_with("HTTP/1.1 431")) << replies.at(0).substr(0, 200);
    EXPECT_NE(core::ascii_lower(replies.at(0)).find("content-type: application/json"),
              std::string::npos);
    EXPECT_EQ(error_code_of(replies.at(0)), "headers_too_large");
    EXPECT_TRUE(handler.seen.empty());
}

TEST_F(HttpServerLimits, BodyOverTheLimitGets413AsJsonWhetherSizedOrChunked) {
    settings.body_limit = 1000;
    const std::string body(5000, 'b');
    const auto replies = exchange({
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + body +
            "\r\n0\r\n\r\n",
    });
    for (const auto& reply : replies) {
        EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply.substr(0, 200);
        EXPECT_EQ(error_code_of(reply), "body_too_large");
    }
    EXPECT_TRUE(handler.seen.empty());
}

TEST_F(HttpServerLimits, BodyWithinTheLimitReachesTheHandler) {
    settings.body_limit = 1000;
    const auto replies =
        exchange({"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                  "Connection: close\r\n\r\n" +
                  std::string(1000, 'b')});
    EXPECT_TRUE(replies.at(0).starts_with("HTTP/1.1 200")) << replies.at(0);
    ASSERT_EQ(handler.seen.size(), 1u);
    EXPECT_EQ(handler.seen[0].body.size(), 1000u);
}

TEST_F(HttpServerLimits, GarbageAndOtherProtocolVersionsGet400AsJson) {
    const auto replies = exchange({
        "THIS IS NOT HTTP\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    });
    for (const auto& reply : replies) {
        EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
        EXPECT_EQ(error_code_of(reply), "bad_request");
    }
    EXPECT_TRUE(handler.seen.empty());
}

// Only `chunked` alone frames a request body: anything else a proxy could read differently
// (request smuggling), so it is refused before the handler sees it.
TEST_F(HttpServerLimits, TransferCodingsOtherThanChunkedAloneGet400) {
    const std::string body = "5\r\nhello\r\n0\r\n\r\n";
    const auto replies = exchange({
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n" + body,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n" + body,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + body,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n" + body,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Transfer-Encoding: chunked\r\n\r\n" +
            body,
    });
    for (const auto& reply : replies) {
        EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply.substr(0, 200);
        EXPECT_EQ(error_code_of(reply), "bad_request");
    }
    EXPECT_TRUE(handler.seen.empty()) << handler.seen.size() << " request(s) got through";
}

TEST_F(HttpServerLimits, ChunkedInAnyCaseIsAccepted) {
    const auto replies = exchange({
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n"
        "\r\n5\r\nhello\r\n0\r\n\r\n",
    });
    EXPECT_TRUE(replies.at(0).starts_with("HTTP/1.1 200")) << replies.at(0);
    ASSERT_EQ(handler.seen.size(), 1u);
    EXPECT_EQ(handler.seen[0].body, "hello");
}

asio::awaitable<std::string> send_after_continue(std::uint16_t port) {
    auto socket = co_await test::connect_raw(port);
    co_await test::send_raw(&socket,
                            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\nConnection: close\r\n\r\n");
    auto reply = co_await test::read_until_tail(&socket, "\r\n\r\n");
    co_await test::send_raw(&socket, "hello");
    reply += co_await test::read_to_end(&socket);
    co_return reply;
}

TEST_F(HttpServerLimits, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
    start();
    const auto reply = drive(send_after_continue(server->port()));
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200")) << reply;
    ASSERT_EQ(handler.seen.size(), 1u);
    EXPECT_EQ(handler.seen[0].body, "hello");
}

TEST_F(HttpServerLimits, PeerSendingHalfARequestIsClosedAfterTheReadTimeout) {
    settings.read_timeout = 300ms;
    start();
    const auto reply = drive(exchange_timed(server->port(), "GET / HTTP/1.1\r\nHost: x\r\n"));
    EXPECT_EQ(reply.bytes, "");
    EXPECT_GE(reply.took, 250ms);
    EXPECT_LT(reply.took, 3s);
    EXPECT_TRUE(reported("timed out")) << (errors.empty() ? "" : errors.front());
}

TEST_F(HttpServerLimits, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
    settings.idle_timeout = 300ms;
    start();
    const auto reply = drive(exchange_timed(server->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_TRUE(reply.bytes.starts_with("HTTP/1.1 200")) << reply.bytes;
    EXPECT_GE(reply.took, 250ms);
    EXPECT_LT(reply.took, 3s);
    EXPECT_TRUE(errors.empty()) << "an idle peer is no error: " << errors.front();
}

TEST_F(HttpServerLimits, ListeningOnATakenPortFailsWithAnErrorValue) {
    start();
    const auto again = server::listen(loop.get_executor(),
                                      "127.0.0.1:" + std::to_string(server->port()), {}, handler);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), asio::error::address_in_use) << again.error().message();
}

TEST_F(HttpServerLimits, MalformedListenAddressesAreInvalidArguments) {
    for (const std::string address :
         {"", "127.0.0.1", "127.0.0.1:", ":7475", "localhost:7475", "127.0.0.1:65536",
          "127.0.0.1:-1", "127.0.0.1:80x", "1.2.3:80", "::1:7475", "[::1]", "[]:80",
          "[not-an-address]:80", "[::1:80"}) {
        const auto listening = server::listen(loop.get_executor(), address, {}, handler);
        ASSERT_FALSE(listening) << address;
        EXPECT_EQ(listening.error(), errc::invalid_argument) << address;
    }
}

TEST_F(HttpServerLimits, IPv6LoopbackIsAcceptedInBrackets) {
    const auto listening = server::listen(loop.get_executor(), "[::1]:0", {}, handler);
    if (!listening && listening.error() == boost::system::errc::address_not_available) {
        GTEST_SKIP() << "no IPv6 loopback here";
    }
    ASSERT_TRUE(listening) << listening.error().message();
    EXPECT_NE((*listening)->port(), 0);
}

// Takes every file descriptor of this process but one, under a lowered soft limit, until
// release(): the next socket the test opens is the last one there is.
class descriptor_squeeze {
  public:
    descriptor_squeeze() {
        ::getrlimit(RLIMIT_NOFILE, &saved_);
        rlimit lowered = saved_;
        lowered.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, 256);
        ::setrlimit(RLIMIT_NOFILE, &lowered);
        for (int fd = ::dup(0); fd >= 0; fd = ::dup(0)) {
            held_.push_back(fd);
        }
        if (!held_.empty()) {
            ::close(held_.back());
            held_.pop_back();
        }
    }
    descriptor_squeeze(const descriptor_squeeze&) = delete;
    descriptor_squeeze& operator=(const descriptor_squeeze&) = delete;
    ~descriptor_squeeze() { release(); }

    void release() {
        for (const int fd : held_) {
            ::close(fd);
        }
        held_.clear();
        ::setrlimit(RLIMIT_NOFILE, &saved_);
    }

  private:
    rlimit saved_{};
    std::vector<int> held_;
};

struct starved_accept_outcome {
    std::uint64_t failures_while_starved = 0;
    std::string reply_once_freed;
};

asio::awaitable<starved_accept_outcome> connect_while_starved(server* srv) {
    starved_accept_outcome out;
    // The sanitizers' runtime needs a descriptor (a pipe) to check a type it has not seen yet:
    // the timer the server waits on after a failure is met once before descriptors run out.
    co_await test::sleep_for(1ms);
    descriptor_squeeze squeeze;
    auto client = co_await test::connect_raw(srv->port());
    co_await test::send_raw(&client, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 200 && srv->stats().accept_failures < 3; ++i) {
        co_await test::sleep_for(10ms);
    }
    out.failures_while_starved = srv->stats().accept_failures;
    squeeze.release();
    out.reply_once_freed = co_await test::read_to_end(&client);
    co_return out;
}

TEST_F(HttpServerLimits, OutOfDescriptorsIsToldOnceAndAcceptingResumesWhenThereAreSome) {
    std::vector<std::uint64_t> told;
    start();
    server->on_accept_failure = [&told](std::string_view what, std::uint64_t failures) {
        EXPECT_FALSE(what.empty());
        told.push_back(failures);
    };
    const auto out = drive(connect_while_starved(server.get()));
    EXPECT_GE(out.failures_while_starved, 3u) << "accept never ran out of descriptors";
    EXPECT_EQ(told, std::vector<std::uint64_t>{1}) << "a run of failures is told once a minute";
    EXPECT_TRUE(out.reply_once_freed.starts_with("HTTP/1.1 200")) << out.reply_once_freed;
    EXPECT_EQ(server->stats().connections_accepted, 1u);
}

}  // namespace
}  // namespace polylogue::http
