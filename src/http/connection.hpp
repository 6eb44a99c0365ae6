#pragma once
// One pooled connection, plain or TLS, and how it is opened: resolve, connect (directly or
// through a proxy's CONNECT tunnel), TLS handshake with SNI and host-name verification. Each
// phase has its own deadline. Beast lives here and in client.cpp only.

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "polylogue/http/client.hpp"

namespace polylogue::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using steady_clock = std::chrono::steady_clock;

struct connection_key {
    std::string scheme;
    std::string host;
    std::uint16_t port = 0;
    std::string ca_file;
    std::string proxy;  // the proxy's authority, or empty

    // clang-tidy 14 takes the 0 in the synthesized comparison for a null pointer.
    auto operator<=>(const connection_key&) const = default;  // NOLINT(modernize-use-nullptr)
};

// What a connection's read buffer holds, reserved when it opens.
inline constexpr std::size_t read_buffer_bytes = 64 * 1024;

struct connection {
    connection_key key;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    steady_clock::time_point idle_since{};
    bool absolute_form = false;  // plain http through a proxy: request lines carry the full URL

    beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

// True when nothing has arrived on an idle connection since its last response: no close, no
// reset, no stray bytes (a TLS close_notify counts as bytes). Does not block.
bool quiet_since_idle(connection& conn);

// The time left until deadline, capped at phase.
std::chrono::milliseconds phase_budget(std::chrono::milliseconds phase,
                                       steady_clock::time_point deadline);

// Opens a connection to target (through proxy when set), or an error naming the failed phase.
asio::awaitable<result<std::unique_ptr<connection>>> open_connection(
    connection_key key, url target, std::optional<url> proxy, std::shared_ptr<ssl::context> tls,
    client_limits limits, steady_clock::time_point deadline);

// A TLS client context trusting ca_file (or the system store when empty); TLS 1.2 at least.
std::shared_ptr<ssl::context> make_tls_context(const std::string& ca_file);

}  // namespace polylogue::http::detail
