#include <boost/asio/error.hpp>

#include <algorithm>
#include <chrono>

#include "polylogue/core/text.hpp"
#include "server_connection.hpp"

namespace polylogue::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using boost::system::error_code;

bool timed_out(const error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

incoming read_failure(const error_code& ec) {
    incoming in;
    if (ec == beast_http::error::header_limit) {
        in.refusal = 431;
    } else if (ec == beast_http::error::body_limit) {
        in.refusal = 413;
    } else if (timed_out(ec)) {
        in.problem = "timed out reading a request";
    } else if (ec == beast_http::error::partial_message) {
        in.problem = "closed mid-request";
    } else if (ec == beast_http::error::end_of_stream || ec == asio::error::eof ||
               ec == asio::error::operation_aborted) {
        return in;  // left between requests, or closed by us (stop, eviction): ordinary
    } else if (ec.category() ==
               beast_http::make_error_code(beast_http::error::bad_method).category()) {
        in.refusal = 400;  // the parser's verdict
    } else {
        in.problem = "read failed: " + ec.message();
    }
    return in;
}

// Only `chunked` alone frames a body: a list ("chunked, identity", "gzip, chunked") or a second
// header is refused rather than guessed at, since a proxy in front might read it otherwise.
bool plain_transfer_coding(const beast_http::request_header<>& header) {
    int codings = 0;
    for (const auto& field : header) {
        if (field.name() == beast_http::field::transfer_encoding &&
            (++codings > 1 || core::ascii_lower(field.value()) != "chunked")) {
            return false;
        }
    }
    return true;
}

std::chrono::milliseconds left_of(std::chrono::milliseconds budget,
                                  std::chrono::steady_clock::time_point since) {
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - since);
    return std::max(std::chrono::milliseconds{1}, budget - spent);
}

}  // namespace

asio::awaitable<bool> await_next_request(std::shared_ptr<server_connection> conn) {
    if (conn->buffer.size() > 0) {
        co_return true;  // pipelined
    }
    error_code ec;
    conn->stream.expires_after(conn->core->settings.idle_timeout);
    const auto n = co_await conn->stream.async_read_some(conn->buffer.prepare(4096), with(ec));
    conn->buffer.commit(n);
    co_return !ec;
}

asio::awaitable<incoming> read_request(std::shared_ptr<server_connection> conn) {
    const auto& limits = conn->core->settings;
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(limits.header_limit, UINT32_MAX)));
    parser.body_limit(limits.body_limit);
    error_code ec;
    const auto began = std::chrono::steady_clock::now();
    // A peer that has not sent its headers yet holds a slot for nothing: a short deadline.
    conn->stream.expires_after(std::min(limits.header_timeout, limits.read_timeout));
    co_await beast_http::async_read_header(conn->stream, conn->buffer, parser, with(ec));
    if (!ec && !plain_transfer_coding(parser.get().base())) {
        incoming refused;
        refused.refusal = 400;
        co_return refused;
    }
    conn->stream.expires_after(left_of(limits.read_timeout, began));
    if (!ec && parser.get()[beast_http::field::expect] == "100-continue") {
        // curl waits a second for this before it sends a larger body.
        beast_http::response<beast_http::empty_body> go_on{beast_http::status::continue_, 11};
        co_await beast_http::async_write(conn->stream, go_on, with(ec));
    }
    if (!ec) {
        co_await beast_http::async_read(conn->stream, conn->buffer, parser, with(ec));
    }
    if (ec) {
        co_return read_failure(ec);
    }
    incoming in;
    const auto version = parser.get().version();
    if (version != 10 && version != 11) {
        in.refusal = 400;
    } else {
        in.message = parser.release();
    }
    co_return in;
}

}  // namespace polylogue::http::detail
