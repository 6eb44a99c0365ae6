#include "connection.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <variant>

#include "polylogue/core/base64.hpp"

namespace polylogue::http::detail {
namespace {

using tcp = asio::ip::tcp;
namespace beast_http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

bool timed_out(const boost::system::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

asio::awaitable<result<tcp::resolver::results_type>> resolve(std::string host, std::uint16_t port,
                                                             std::chrono::milliseconds budget) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver{executor};
    asio::steady_timer timer{executor, budget};
    boost::system::error_code ec;
    boost::system::error_code timer_ec;
    auto outcome =
        co_await (resolver.async_resolve(host, std::to_string(port),
                                         asio::redirect_error(asio::use_awaitable, ec)) ||
                  timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec)));
    if (outcome.index() == 1) {
        co_return result<tcp::resolver::results_type>{errc::resolve_timeout};
    }
    if (ec) {
        co_return result<tcp::resolver::results_type>{errc::resolve_failed};
    }
    co_return std::get<0>(std::move(outcome));
}

// Asks the proxy for a tunnel to target; the stream then carries bytes straight to target.
asio::awaitable<result<void>> open_tunnel(beast::tcp_stream* stream, url target, url proxy,
                                          std::chrono::milliseconds budget) {
    beast_http::request<beast_http::empty_body> connect{beast_http::verb::connect,
                                                        target.authority(), 11};
    connect.set(beast_http::field::host, target.authority());
    if (!proxy.userinfo.empty()) {
        connect.set(beast_http::field::proxy_authorization,
                    "Basic " + core::base64_encode(proxy.userinfo));
    }
    stream->expires_after(budget);
    boost::system::error_code ec;
    co_await beast_http::async_write(*stream, connect,
                                     asio::redirect_error(asio::use_awaitable, ec));
    beast::flat_buffer buffer;
    beast_http::response_parser<beast_http::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body, whatever its headers say
    if (!ec) {
        co_await beast_http::async_read_header(*stream, buffer, parser,
                                               asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
        co_return result<void>{timed_out(ec) ? errc::connect_timeout : errc::proxy_failed};
    }
    if (parser.get().result_int() != 200 || buffer.size() != 0) {
        co_return result<void>{errc::proxy_failed};
    }
    co_return result<void>{};
}

asio::awaitable<result<void>> handshake(connection* conn, std::string host,
                                        std::chrono::milliseconds budget) {
    auto& stream = *conn->secure;
    // SNI, so that virtual hosts present the right certificate.
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 static_cast<void*>(host.data())) != 1) {
        co_return result<void>{errc::tls_failed};
    }
    stream.set_verify_callback(ssl::host_name_verification(host));
    beast::get_lowest_layer(stream).expires_after(budget);
    boost::system::error_code ec;
    co_await stream.async_handshake(ssl::stream_base::client,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        co_return result<void>{timed_out(ec) ? errc::tls_timeout : errc::tls_failed};
    }
    co_return result<void>{};
}

// A phase that times out when the whole call's deadline, not its own timeout, bounded it failed
// because the call ran out of time: the caller is told so rather than blaming the phase.
boost::system::error_code blame(boost::system::error_code failure, bool deadline_bound) {
    const bool phase_timeout = failure == errc::resolve_timeout ||
                               failure == errc::connect_timeout || failure == errc::tls_timeout;
    return deadline_bound && phase_timeout ? make_error_code(errc::deadline_exceeded) : failure;
}

bool bound_by_deadline(std::chrono::milliseconds phase, steady_clock::time_point deadline) {
    return deadline - steady_clock::now() <= phase;
}

}  // namespace

bool quiet_since_idle(connection& conn) {
    if (conn.buffer.size() > 0) {
        return false;
    }
    char byte = 0;
    const auto got = ::recv(conn.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::chrono::milliseconds phase_budget(std::chrono::milliseconds phase,
                                       steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    return std::max(std::chrono::milliseconds{1}, std::min(phase, left));
}

std::shared_ptr<ssl::context> make_tls_context(const std::string& ca_file) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    context->set_verify_mode(ssl::verify_peer);
    if (ca_file.empty()) {
        context->set_default_verify_paths();
    } else {
        context->load_verify_file(ca_file);  // throws for a missing file: checked at startup
    }
    return context;
}

asio::awaitable<result<std::unique_ptr<connection>>> open_connection(
    connection_key key, url target, std::optional<url> proxy, std::shared_ptr<ssl::context> tls,
    client_limits limits, steady_clock::time_point deadline) {
    using outcome = result<std::unique_ptr<connection>>;
    const url& first_hop = proxy ? *proxy : target;
    const bool resolve_bound = bound_by_deadline(limits.resolve_timeout, deadline);
    auto addresses = co_await resolve(first_hop.host, first_hop.port,
                                      phase_budget(limits.resolve_timeout, deadline));
    if (!addresses) {
        co_return outcome{blame(addresses.error(), resolve_bound)};
    }
    auto conn = std::make_unique<connection>();
    conn->key = key;
    // Reads take what the buffer has room for, at least 512 bytes: room for a whole streamed
    // reply (or a large part of one) saves a system call per 512 bytes.
    conn->buffer.reserve(read_buffer_bytes);
    auto executor = co_await asio::this_coro::executor;
    if (target.tls()) {
        conn->secure.emplace(executor, *tls);
    } else {
        conn->plain.emplace(executor);
        conn->absolute_form = proxy.has_value();
    }
    const bool connect_bound = bound_by_deadline(limits.connect_timeout, deadline);
    conn->tcp().expires_after(phase_budget(limits.connect_timeout, deadline));
    boost::system::error_code ec;
    co_await conn->tcp().async_connect(*addresses, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        co_return outcome{timed_out(ec) ? blame(errc::connect_timeout, connect_bound)
                                        : make_error_code(errc::connect_failed)};
    }
    if (proxy && target.tls()) {
        auto tunnel = co_await open_tunnel(&conn->tcp(), target, *proxy,
                                           phase_budget(limits.connect_timeout, deadline));
        if (!tunnel) {
            co_return outcome{tunnel.error()};
        }
    }
    if (target.tls()) {
        const bool tls_bound = bound_by_deadline(limits.tls_timeout, deadline);
        auto secured =
            co_await handshake(conn.get(), target.host, phase_budget(limits.tls_timeout, deadline));
        if (!secured) {
            co_return outcome{blame(secured.error(), tls_bound)};
        }
    }
    co_return outcome{std::move(conn)};
}

}  // namespace polylogue::http::detail
