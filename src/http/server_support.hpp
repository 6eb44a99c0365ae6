#pragma once
// The parts of the HTTP server that need no Beast: its shared state (acceptor, settings,
// statistics, the registry of open connections), calling the handler, the listen address, and
// the server's own error answers. server.cpp speaks HTTP over them.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "polylogue/core/error.hpp"
#include "polylogue/http/server.hpp"

namespace polylogue::http::detail {

// An open connection as the registry sees it: what stop() closes.
class closable {
  public:
    virtual void close() = 0;

  protected:
    ~closable() = default;
};

// Where a connection stands, which decides whether it may make room for a new one.
enum class connection_phase {
    waiting,  // kept alive, nothing of a next request received yet: evicted first
    reading,  // no complete request yet (a new connection, or a next request begun): next
    busy,     // a request being answered, or a stream: never evicted
};

// Shared by the server, its accept loop and every connection coroutine, so that none of them
// outlives what it touches. One executor: no locks.
struct server_core {
    server_core(boost::asio::any_io_executor on, server_settings limits, request_handler& to);

    boost::asio::any_io_executor executor;
    boost::asio::ip::tcp::acceptor acceptor;
    server_settings settings;
    request_handler& handler;
    server_stats stats;
    std::function<void(std::string_view)>* on_error = nullptr;  // the server's; null once gone
    std::function<void(std::string_view, std::uint64_t)>* on_accept_failure = nullptr;  // same
    std::function<void(const server_stats&)>* on_full = nullptr;                        // same
    std::uint16_t port = 0;
    bool stopping = false;

    bool full() const noexcept { return open_.size() >= settings.max_connections; }
    // A new connection, in phase reading.
    std::uint64_t enrol(std::weak_ptr<closable> connection);
    void set_phase(std::uint64_t id, connection_phase phase);
    void leave(std::uint64_t id);
    // Makes room for one more: closes and forgets the connection that has waited longest in
    // phase waiting, else in phase reading. False (a refusal) when every one is busy. Either
    // way it is counted, and told to on_full at most once a minute.
    bool make_room();
    void report(const std::string& what) const;
    void report_accept_failure(const std::string& what, std::uint64_t failures) const;
    // Stops accepting and closes every open connection.
    void stop();

  private:
    struct open_connection {
        std::weak_ptr<closable> handle;
        connection_phase phase = connection_phase::reading;
        std::chrono::steady_clock::time_point since;  // when it entered its phase
    };

    std::optional<std::uint64_t> longest_in(connection_phase phase) const;
    void tell_full();

    std::uint64_t next_id_ = 0;
    std::map<std::uint64_t, open_connection> open_;
    std::optional<std::chrono::steady_clock::time_point> last_told_full_;
};

// Binds and listens on listen_address; a malformed address is errc::invalid_argument.
result<void> open_acceptor(server_core& core, std::string_view listen_address);

// The handler's answer; none (and a report) when it threw or gave an impossible status.
boost::asio::awaitable<std::optional<server_response>> call_handler(
    std::shared_ptr<server_core> core, server_request request);

// "HOST:PORT" with a numeric IPv4 host, or "[IPv6]:PORT"; PORT 0..65535. Anything else:
// errc::invalid_argument.
result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

// "127.0.0.1:53422", "[::1]:53422".
std::string describe_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);

// The JSON answer the server itself gives: 400, 413, 431 or 500.
server_response refusal(int status);

// What an exception says, for on_error.
std::string describe(const std::exception_ptr& failure);

}  // namespace polylogue::http::detail
