#pragma once
// One connection of the HTTP server, and how a request is read from it within its limits and
// deadlines (server_reading.cpp). server.cpp answers; Beast stays in these translation units.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server_support.hpp"

namespace polylogue::http::detail {

using request_message = boost::beast::http::request<boost::beast::http::string_body>;

inline auto with(boost::system::error_code& ec) {
    return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}

struct server_connection final : closable {
    server_connection(std::shared_ptr<server_core> owner, boost::asio::ip::tcp::socket socket)
        : core{std::move(owner)}, stream{std::move(socket)} {
        boost::system::error_code ec;
        const auto peer = stream.socket().remote_endpoint(ec);
        remote = ec ? std::string{"unknown peer"} : describe_endpoint(peer);
    }
    server_connection(const server_connection&) = delete;
    server_connection& operator=(const server_connection&) = delete;
    ~server_connection() { core->leave(id); }

    void close() override { stream.close(); }

    std::shared_ptr<server_core> core;
    std::uint64_t id = 0;
    boost::beast::tcp_stream stream;
    std::string remote;
    boost::beast::flat_buffer buffer;
};

// What reading one request gave: a request, or a status to refuse with, or neither (the peer
// left or was too slow). problem says why, for on_error; empty for an ordinary close.
struct incoming {
    std::optional<request_message> message;
    int refusal = 0;
    std::string problem;
};

// On a kept-alive connection, waits up to idle_timeout for the next request to begin; false
// when the peer left or stayed silent.
boost::asio::awaitable<bool> await_next_request(std::shared_ptr<server_connection> conn);

// Reads one request: its headers within header_timeout, the whole within read_timeout, each
// within its size limit; a Transfer-Encoding other than `chunked` alone is refused (400).
boost::asio::awaitable<incoming> read_request(std::shared_ptr<server_connection> conn);

}  // namespace polylogue::http::detail
