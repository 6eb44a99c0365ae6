// The control API's HTTP server with real clients on loopback: exchanges, keep-alive, failing
// handlers and streamed responses.

#include <gtest/gtest.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "polylogue/http/client.hpp"
#include "support/server_harness.hpp"

namespace polylogue::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

// The answer, or status 0 (and a failed expectation) when the client failed.
asio::awaitable<response> fetch(client* web, request req, std::string* streamed = nullptr,
                                std::function<void()> on_chunk = {}) {
    chunk_handler on_body;
    if (streamed != nullptr) {
        on_body = [streamed, on_chunk](std::string_view chunk) {
            streamed->append(chunk);
            on_chunk();
        };
    }
    auto answer = co_await web->send(std::move(req), on_body);
    EXPECT_TRUE(answer) << answer.error().message();
    co_return answer ? *answer : response{};
}

asio::awaitable<std::vector<response>> fetch_twice(client* web, request first, request second) {
    std::vector<response> out;
    out.push_back(co_await fetch(web, std::move(first)));
    out.push_back(co_await fetch(web, std::move(second)));
    co_return out;
}

class HttpServer : public test::server_fixture {
  protected:
    client web{loop.get_executor(), client_limits{}, proxy_settings{}};

    request get(std::string target) const {
        request req;
        req.method = "GET";
        req.url = base_url() + target;
        return req;
    }
};

TEST_F(HttpServer, RequestReachesTheHandlerAndItsAnswerComesBack) {
    handler.respond = [](const server_request&) {
        server_response answer;
        answer.status = 201;
        answer.headers = {{"content-type", "application/json"}, {"x-answer", "42"}};
        answer.body = R"({"ok":true})";
        return answer;
    };
    start();
    auto req = get("/v1/echo?after=3");
    req.method = "POST";
    req.headers = {{"X-Mixed-Case", "yes"}, {"content-type", "text/plain"}};
    req.body = "hello there";
    const auto answer = drive(fetch(&web, req));
    EXPECT_EQ(answer.status, 201);
    EXPECT_EQ(answer.body, R"({"ok":true})");
    EXPECT_EQ(answer.header("x-answer"), "42");
    EXPECT_EQ(answer.header("content-type"), "application/json");
    EXPECT_EQ(answer.header("content-length"), "11");
    EXPECT_EQ(answer.header("server"), "polylogue");
    ASSERT_EQ(handler.seen.size(), 1u);
    const auto& seen = handler.seen[0];
    EXPECT_EQ(seen.method, "POST");
    EXPECT_EQ(seen.target, "/v1/echo?after=3");
    EXPECT_EQ(seen.header("x-mixed-case"), "yes");
    EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server->port()));
    EXPECT_EQ(seen.body, "hello there");
    EXPECT_TRUE(seen.remote.starts_with("127.0.0.1:")) << seen.remote;
    EXPECT_EQ(server->stats().requests, 1u);
    EXPECT_TRUE(errors.empty());
}

TEST_F(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
    handler.respond = [](const server_request& req) {
        return test::text_response(200, req.target);
    };
    start();
    const auto answers = drive(fetch_twice(&web, get("/one"), get("/two")));
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[0].body, "/one");
    EXPECT_EQ(answers[1].body, "/two");
    EXPECT_EQ(server->stats().connections_accepted, 1u);
    EXPECT_EQ(server->stats().requests, 2u);
    EXPECT_EQ(web.stats().connections_reused, 1u);
}

TEST_F(HttpServer, ConnectionCloseFromTheClientEndsTheConnectionAfterTheAnswer) {
    handler.respond = [](const server_request&) { return test::text_response(200, "bye"); };
    start();
    // Were the connection kept, reading to its end would wait out the two-minute idle limit.
    const auto reply = drive(test::exchange_raw(
        server->port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
    EXPECT_EQ(test::body_of(reply), "bye");
}

struct failure_then_next {
    std::string failed;
    response next;
};

asio::awaitable<failure_then_next> failing_then_fine(std::uint16_t port, client* web,
                                                     request next) {
    failure_then_next out;
    // A kept-alive connection: the read ends only because the server closes it.
    out.failed = co_await test::exchange_raw(port, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
    out.next = co_await fetch(web, std::move(next));
    co_return out;
}

TEST_F(HttpServer, HandlerThatThrowsGets500AndTheServerGoesOn) {
    handler.respond = [](const server_request& req) {
        if (req.target == "/boom") {
            throw std::runtime_error{"boom"};
        }
        return test::text_response(200, "fine");
    };
    start();
    const auto out = drive(failing_then_fine(server->port(), &web, get("/fine")));
    EXPECT_TRUE(out.failed.starts_with("HTTP/1.1 500")) << out.failed;
    const auto body = nlohmann::json::parse(test::body_of(out.failed));
    EXPECT_EQ(body["error"]["code"], "internal_error");
    EXPECT_EQ(out.next.status, 200);
    EXPECT_EQ(out.next.body, "fine");
    EXPECT_TRUE(reported("boom"));
}

// Writes one chunk, waits until the client has seen it, then writes two more.
class gated_stream final : public response_stream {
  public:
    explicit gated_stream(asio::any_io_executor executor) : gate_{std::move(executor), 5s} {}

    asio::awaitable<void> run(stream_writer& out) override {
        const bool first = co_await out.write("first\n");
        writes.push_back(first);
        if (!client_saw_first_) {
            boost::system::error_code ec;
            co_await gate_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            waited_out_the_gate = !ec;
        }
        const bool second = co_await out.write("second\n");
        writes.push_back(second);
        const bool empty = co_await out.write("");
        writes.push_back(empty);
        const bool third = co_await out.write("third\n");
        writes.push_back(third);
    }

    void client_saw_first() {
        client_saw_first_ = true;
        gate_.cancel();
    }

    std::vector<bool> writes;
    bool waited_out_the_gate = false;

  private:
    asio::steady_timer gate_;
    bool client_saw_first_ = false;
};

TEST_F(HttpServer, StreamedResponseDeliversChunksInOrderAsTheyAreWritten) {
    auto stream = std::make_shared<gated_stream>(loop.get_executor());
    handler.respond = [stream](const server_request&) {
        server_response answer;
        answer.headers = {{"content-type", "text/event-stream"}};
        answer.stream = stream;
        return answer;
    };
    start();
    std::string streamed;
    auto on_chunk = [&streamed, stream] {
        if (streamed.find("first\n") != std::string::npos) {
            stream->client_saw_first();
        }
    };
    const auto answer = drive(fetch(&web, get("/events"), &streamed, on_chunk));
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.header("content-type"), "text/event-stream");
    EXPECT_EQ(answer.header("transfer-encoding"), "chunked");
    EXPECT_EQ(streamed, "first\nsecond\nthird\n");
    EXPECT_FALSE(stream->waited_out_the_gate) << "the first chunk reached the client only late";
    EXPECT_EQ(stream->writes, (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(server->stats().open_streams, 0u);
}

// Writes large blocks until a write fails.
class flooding_stream final : public response_stream {
  public:
    static constexpr std::size_t volume = 256u * 1024 * 1024;

    asio::awaitable<void> run(stream_writer& out) override {
        const std::string block(64 * 1024, 'x');
        while (written < volume) {
            const bool ok = co_await out.write(block);
            if (!ok) {
                failed_at = steady_clock::now();
                write_failed = true;
                break;
            }
            written += block.size();
            last_success = steady_clock::now();
        }
        finished = true;
    }

    std::size_t written = 0;
    bool write_failed = false;
    bool finished = false;
    steady_clock::time_point last_success{};
    steady_clock::time_point failed_at{};
};

struct stalled_reader {
    bool stream_finished = false;
    std::size_t open_connections_after = 1;
};

asio::awaitable<stalled_reader> request_then_stop_reading(server* srv, flooding_stream* stream) {
    auto socket = co_await test::connect_raw(srv->port(), 4096);
    co_await test::send_raw(&socket, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < 250 && !stream->finished; ++i) {
        co_await test::sleep_for(20ms);
    }
    stalled_reader out;
    out.stream_finished = stream->finished;
    co_await test::read_to_end(&socket);
    out.open_connections_after = srv->stats().open_connections;
    co_return out;
}

TEST_F(HttpServer, ClientThatStopsReadingAStreamIsDroppedAtTheWriteDeadline) {
    settings.write_timeout = 200ms;
    auto stream = std::make_shared<flooding_stream>();
    handler.respond = [stream](const server_request&) {
        server_response answer;
        answer.stream = stream;
        return answer;
    };
    start();
    const auto out = drive(request_then_stop_reading(server.get(), stream.get()));
    ASSERT_TRUE(out.stream_finished);
    EXPECT_TRUE(stream->write_failed);
    EXPECT_LT(stream->written, flooding_stream::volume);
    EXPECT_GE(stream->failed_at - stream->last_success, 150ms);
    EXPECT_EQ(out.open_connections_after, 0u);
    EXPECT_EQ(server->stats().open_streams, 0u);
    EXPECT_TRUE(reported("stream write failed")) << (errors.empty() ? "" : errors.front());
}

// Writes a tick every 10 ms until a write fails.
class ticking_stream final : public response_stream {
  public:
    asio::awaitable<void> run(stream_writer& out) override {
        for (;;) {
            const bool ok = co_await out.write("tick\n");
            if (!ok) {
                break;
            }
            co_await test::sleep_for(10ms);
        }
        returned = true;
    }
    bool returned = false;
};

asio::awaitable<std::chrono::milliseconds> stop_while_streaming(server* srv) {
    auto socket = co_await test::connect_raw(srv->port());
    co_await test::send_raw(&socket, "GET /ticks HTTP/1.1\r\nHost: x\r\n\r\n");
    co_await test::read_until_tail(&socket, "tick\n\r\n");
    const auto stopped_at = steady_clock::now();
    srv->stop();
    co_await test::read_to_end(&socket);
    co_return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() -
                                                                    stopped_at);
}

TEST_F(HttpServer, StopEndsRunAndClosesAnOpenStreamPromptly) {
    auto stream = std::make_shared<ticking_stream>();
    handler.respond = [stream](const server_request&) {
        server_response answer;
        answer.stream = stream;
        return answer;
    };
    start();
    const auto closed_after = drive(stop_while_streaming(server.get()));
    EXPECT_LT(closed_after, 500ms);
    EXPECT_TRUE(stream->returned);
    EXPECT_EQ(server->stats().open_streams, 0u);
    EXPECT_EQ(server->stats().open_connections, 0u);
    EXPECT_TRUE(errors.empty()) << errors.front();
}

}  // namespace
}  // namespace polylogue::http
