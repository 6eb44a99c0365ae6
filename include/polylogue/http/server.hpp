#pragma once
// The HTTP/1.1 server plumbing of the control API (Boost.Beast behind a pimpl, so Beast stays in
// one translation unit). It accepts connections, reads each request within its limits and
// deadlines, hands it to a request_handler and writes the answer. It knows nothing of routes.
// Contract:
// - A request whose headers exceed header_limit gets 431, a body over body_limit gets 413, a
//   request that is not HTTP/1.x gets 400; each answer is JSON {"error": {"code", "message"}}
//   (code headers_too_large, body_too_large, bad_request) and the connection closes.
// - Each phase has a deadline: a request's headers (header_timeout, counted from the
//   connection's start or from the request's first byte), the whole request (read_timeout),
//   waiting on a keep-alive connection for the next one, and every write (also every chunk of
//   a stream). A peer that misses one is closed.
// - A request whose Transfer-Encoding is anything but exactly `chunked` gets 400 (bad_request).
// - At max_connections, a new connection takes the place of the open one that has waited
//   longest: keep-alive connections waiting for a next request first, then connections that
//   have not sent a complete request. Connections busy with a request or a stream are never
//   evicted; only when all are busy is the new one closed at once (a refusal). Evictions and
//   refusals are counted in server_stats and told to on_full.
// - An exception escaping the handler is contained to its connection: the peer gets 500 and the
//   server goes on (code internal_error). So does a status outside 200..599.
// - A response with a stream is sent with chunked transfer encoding; the stream writes until
//   it returns or a write fails, then the connection closes. stop() closes every connection,
//   streaming or not; a stream waiting on something else than write() must wake itself (its
//   source closing, or a periodic keep-alive write, which also notices a peer that left).
// - Every answer carries `server: polylogue`; a body that is not a stream gets its
//   content-length. Keep-alive follows HTTP/1.1 (and `Connection: close`).
// - Everything runs on the one executor given to listen(); call stop() from it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/core/error.hpp"

namespace polylogue::http {

struct server_settings {
    std::size_t header_limit = 16 * 1024;              // request line and headers
    std::size_t body_limit = 1024 * 1024;              // request body
    std::chrono::milliseconds header_timeout{10'000};  // a request's headers, from its start
    std::chrono::milliseconds read_timeout{30'000};    // one whole request, body included
    std::chrono::milliseconds idle_timeout{120'000};   // keep-alive wait for the next request
    std::chrono::milliseconds write_timeout{30'000};   // each write, each streamed chunk included
    std::size_t max_connections = 512;  // open at once; see the contract above for the rest
};

struct server_request {
    std::string method;  // "GET", "POST", ... as sent
    std::string target;  // path and query, as sent: "/v1/rooms?after=3"
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
    std::string body;
    std::string remote;  // "127.0.0.1:53422"

    // The first header with that (lower-case) name, or empty.
    std::string_view header(std::string_view name) const;
};

// Where a streamed response writes. write() completes once the bytes are handed to the
// socket; it returns false when the peer is gone, the write deadline passed, or the server
// stops. After false, the stream should return. Writing nothing sends nothing.
class stream_writer {
  public:
    virtual ~stream_writer() = default;
    virtual boost::asio::awaitable<bool> write(std::string data) = 0;
};

// A response body produced over time (Server-Sent Events). run() is a member coroutine so
// that no capturing lambda coroutine is ever needed.
class response_stream {
  public:
    virtual ~response_stream() = default;
    virtual boost::asio::awaitable<void> run(stream_writer& out) = 0;
};

struct server_response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // content-type among them
    std::string body;                                          // ignored when stream is set
    std::shared_ptr<response_stream> stream;                   // set: a chunked, streamed body
};

class request_handler {
  public:
    virtual ~request_handler() = default;
    virtual boost::asio::awaitable<server_response> handle(server_request request) = 0;
};

struct server_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused = 0;  // at max_connections with every connection busy
    std::uint64_t connections_evicted = 0;  // closed at max_connections to make room
    std::uint64_t accept_failures = 0;      // out of descriptors, say
    std::uint64_t requests = 0;
    std::size_t open_connections = 0;
    std::size_t open_streams = 0;
};

class server {
  public:
    // Binds and listens now, so that a taken port or a bad address fails at startup.
    // listen_address: "HOST:PORT" with a numeric IPv4 host or "[IPv6]:PORT"; port 0 picks one.
    // A malformed address is errc::invalid_argument; a failed bind keeps the system's code
    // (boost::asio::error::address_in_use, access_denied...), which says more.
    static result<std::unique_ptr<server>> listen(boost::asio::any_io_executor executor,
                                                  std::string_view listen_address,
                                                  server_settings settings,
                                                  request_handler& handler);
    server(const server&) = delete;
    server& operator=(const server&) = delete;
    ~server();

    // The bound port (the one picked when 0 was asked).
    std::uint16_t port() const noexcept;

    // Accepts until stop(). Run it once with co_spawn.
    boost::asio::awaitable<void> run();

    // Stops accepting and closes every open connection; streams see their writes fail.
    void stop();

    const server_stats& stats() const noexcept;

    // Called with a short description of each connection that ended with an error (for logs);
    // never with request bodies or headers.
    std::function<void(std::string_view)> on_error;

    // Called when accepting fails (out of file descriptors, say): at the first failure of a run
    // of failures and then once a minute while it lasts, with the number of failures so far. The
    // server waits 100 ms after each failure, so connections can end and free descriptors.
    std::function<void(std::string_view, std::uint64_t)> on_accept_failure;

    // Called when the server is full and evicts or refuses a connection: at the first time and
    // then at most once a minute while it goes on, with the statistics at that moment.
    std::function<void(const server_stats&)> on_full;

  private:
    struct impl;
    explicit server(std::unique_ptr<impl> state);
    std::unique_ptr<impl> impl_;
};

// The body every error answer carries: {"error": {"code": code, "message": message}}.
std::string error_body(std::string_view code, std::string_view message);

}  // namespace polylogue::http
