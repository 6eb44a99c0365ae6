#pragma once
// Drives the control API's http::server in tests: one loop, the server on 127.0.0.1:0, a
// handler the test scripts, and raw loopback sockets for what a polite client never sends.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "polylogue/http/server.hpp"
#include "support/loop.hpp"

namespace polylogue::test {

// Answers with respond(request); keeps every request it saw.
class scripted_handler final : public http::request_handler {
  public:
    std::function<http::server_response(const http::server_request&)> respond;
    std::vector<http::server_request> seen;

    boost::asio::awaitable<http::server_response> handle(http::server_request request) override;
};

http::server_response text_response(int status, std::string body);

boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds pause);

// A socket connected to 127.0.0.1:port; receive_buffer > 0 shrinks its receive buffer first.
boost::asio::awaitable<boost::asio::ip::tcp::socket> connect_raw(std::uint16_t port,
                                                                 int receive_buffer = 0);
boost::asio::awaitable<void> send_raw(boost::asio::ip::tcp::socket* socket, std::string bytes);
// Reads until what was read ends with tail (or the connection ends); returns all of it.
boost::asio::awaitable<std::string> read_until_tail(boost::asio::ip::tcp::socket* socket,
                                                    std::string tail);
// Everything until the peer closes (or resets) the connection.
boost::asio::awaitable<std::string> read_to_end(boost::asio::ip::tcp::socket* socket);
// Connects, sends bytes, reads until the server closes.
boost::asio::awaitable<std::string> exchange_raw(std::uint16_t port, std::string bytes);

// What follows the head of a raw HTTP response.
std::string body_of(const std::string& raw_response);

template <class T>
boost::asio::awaitable<T> then_stop(http::server* server, boost::asio::awaitable<T> task) {
    std::exception_ptr failure;
    T out{};
    try {
        out = co_await std::move(task);
    } catch (...) {
        failure = std::current_exception();
    }
    server->stop();
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return out;
}

class server_fixture : public ::testing::Test {
  protected:
    boost::asio::io_context loop;
    scripted_handler handler;
    http::server_settings settings;
    std::unique_ptr<http::server> server;
    std::vector<std::string> errors;  // what on_error was told
    bool run_returned = false;

    // Listens on 127.0.0.1:0 with settings and runs the server on loop.
    void start();
    std::string base_url() const;

    // Runs task with the server, then stops it; the loop must then run out of work.
    template <class T>
    T drive(boost::asio::awaitable<T> task,
            std::chrono::milliseconds limit = std::chrono::seconds{10}) {
        if (!server) {
            start();
        }
        if (!server) {
            return T{};
        }
        auto out = run_coroutine(loop, then_stop(server.get(), std::move(task)), limit);
        EXPECT_TRUE(loop.stopped()) << "work was left after the server stopped";
        EXPECT_TRUE(run_returned) << "server::run did not return after stop()";
        return out.value_or(T{});
    }

    bool reported(std::string_view fragment) const;
};

}  // namespace polylogue::test
