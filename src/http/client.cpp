#include "polylogue/http/client.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include <map>

#include "connection.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/http/async_semaphore.hpp"

namespace polylogue::http {

using namespace detail;
namespace beast_http = boost::beast::http;

std::string_view response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

namespace {

struct exchange_outcome {
    result<response> answer{errc::connection_closed};
    bool reusable = false;    // the connection may serve another request
    bool resendable = false;  // the server cannot have acted on it: safe to send elsewhere
};

// A method the server must treat the same whether it gets the request once or twice.
bool idempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
           method == "OPTIONS";
}

bool timed_out(const boost::system::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

errc read_error(const boost::system::error_code& ec, errc timeout) {
    if (timed_out(ec)) {
        return timeout;
    }
    if (ec == beast_http::error::body_limit || ec == beast_http::error::header_limit ||
        ec == beast_http::error::buffer_overflow) {
        return errc::response_too_large;
    }
    if (ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe) {
        return errc::connection_closed;
    }
    return errc::malformed_response;
}

// The body is not copied: the message refers to req's, which outlives the exchange.
using request_message = beast_http::request<beast_http::span_body<const char>>;

request_message make_message(const request& req, const url& target, bool absolute_form) {
    request_message message;
    message.method_string(req.method);
    message.target(absolute_form ? target.scheme + "://" + target.authority() + target.target
                                 : target.target);
    message.version(11);
    const bool default_port = target.port == (target.tls() ? 443 : 80);
    message.set(beast_http::field::host, default_port ? target.host : target.authority());
    message.set(beast_http::field::user_agent, "polylogue/0.1");
    for (const auto& [name, value] : req.headers) {
        message.set(name, value);
    }
    message.body() = {req.body.data(), req.body.size()};
    message.keep_alive(true);
    message.prepare_payload();
    return message;
}

response collect_headers(const beast_http::response_parser<beast_http::string_body>& parser) {
    response answer;
    answer.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
        answer.headers.emplace_back(core::ascii_lower(field.name_string()),
                                    std::string{field.value()});
    }
    return answer;
}

// Writes the request, reads headers, then the body (to on_body for 2xx when given). req,
// target and on_body belong to the caller's frame, which outlives this one.
template <class Stream>
asio::awaitable<exchange_outcome> exchange(Stream* stream, connection* conn, const request* req,
                                           const url* target, const chunk_handler* on_body,
                                           client_limits limits,
                                           steady_clock::time_point deadline) {
    exchange_outcome out;
    const auto header_wait =
        req->header_timeout.count() > 0 ? req->header_timeout : limits.header_timeout;
    auto message = make_message(*req, *target, conn->absolute_form);
    boost::system::error_code ec;
    const bool header_deadline_bound = deadline - steady_clock::now() <= header_wait;
    conn->tcp().expires_after(phase_budget(header_wait, deadline));
    co_await beast_http::async_write(*stream, message,
                                     asio::redirect_error(asio::use_awaitable, ec));
    // Not all of it left: the server has no whole request to act on.
    const bool unsent = ec && !timed_out(ec);
    beast_http::response_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    if (!ec) {
        co_await beast_http::async_read_header(*stream, conn->buffer, parser,
                                               asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
        // Once the whole request has left, a POST may have been acted on (and billed) though
        // no answer came: only its caller may decide to send it again, as a counted attempt.
        out.resendable = unsent || (!timed_out(ec) && idempotent(req->method));
        out.answer =
            read_error(ec, header_deadline_bound ? errc::deadline_exceeded : errc::header_timeout);
        co_return out;
    }
    response answer = collect_headers(parser);
    const bool streaming = *on_body && answer.status / 100 == 2;
    while (!parser.is_done()) {
        // When the call's deadline comes before the idle limit, a time-out is the deadline's.
        const bool deadline_bound = deadline - steady_clock::now() <= limits.idle_timeout;
        conn->tcp().expires_after(phase_budget(limits.idle_timeout, deadline));
        co_await beast_http::async_read_some(*stream, conn->buffer, parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            out.answer =
                read_error(ec, deadline_bound ? errc::deadline_exceeded : errc::idle_timeout);
            co_return out;
        }
        if (streaming && !parser.get().body().empty()) {
            (*on_body)(parser.get().body());
            parser.get().body().clear();  // the reader appends at the current size
        }
    }
    if (!streaming) {
        answer.body = std::move(parser.get().body());
    }
    out.reusable = parser.get().keep_alive();
    out.answer = std::move(answer);
    co_return out;
}

}  // namespace

struct client::impl {
    asio::any_io_executor executor;
    client_limits limits;
    proxy_settings proxies;
    client_stats stats;
    std::map<std::string, std::shared_ptr<ssl::context>> tls_contexts;
    std::map<connection_key, std::vector<std::unique_ptr<connection>>> idle;
    // Requests in flight per host. One permit per request, and a connection is opened only when
    // none is idle, so the connections open to a host (busy and idle) never exceed the cap.
    std::map<connection_key, async_semaphore> slots;

    std::shared_ptr<ssl::context> tls_for(const std::string& ca_file) {
        auto& context = tls_contexts[ca_file];
        if (!context) {
            context = make_tls_context(ca_file);
        }
        return context;
    }

    async_semaphore& slots_for(const connection_key& key) {
        return slots.try_emplace(key, limits.max_connections_per_host).first->second;
    }
    std::unique_ptr<connection> take_idle(const connection_key& key);
    void keep_idle(const connection_key& key, std::unique_ptr<connection> conn);
    asio::awaitable<result<std::unique_ptr<connection>>> connect(
        connection_key key, url target, std::optional<url> proxy, std::string ca_file,
        client_limits call_limits, steady_clock::time_point deadline, bool* reused);
    asio::awaitable<exchange_outcome> attempt(const request* req, const url* target,
                                              std::optional<url> proxy,
                                              const chunk_handler* on_body,
                                              client_limits call_limits,
                                              steady_clock::time_point deadline, bool* reused);
};

std::unique_ptr<connection> client::impl::take_idle(const connection_key& key) {
    auto& pool = idle[key];
    while (!pool.empty()) {
        auto conn = std::move(pool.back());
        pool.pop_back();
        // Kept too long, or closed (or written to) by the server meanwhile: a request written
        // there might be lost after the server got it, so it is never used.
        if (steady_clock::now() - conn->idle_since < limits.idle_connection_lifetime &&
            quiet_since_idle(*conn)) {
            return conn;
        }
    }
    return nullptr;
}

void client::impl::keep_idle(const connection_key& key, std::unique_ptr<connection> conn) {
    conn->idle_since = steady_clock::now();
    idle[key].push_back(std::move(conn));
}

// A pooled connection, or a new one. The caller holds the host's slot.
asio::awaitable<result<std::unique_ptr<connection>>> client::impl::connect(
    connection_key key, url target, std::optional<url> proxy, std::string ca_file,
    client_limits call_limits, steady_clock::time_point deadline, bool* reused) {
    if (auto conn = take_idle(key)) {
        ++stats.connections_reused;
        *reused = true;
        co_return result<std::unique_ptr<connection>>{std::move(conn)};
    }
    *reused = false;
    ++stats.connections_opened;
    co_return co_await open_connection(key, target, proxy, tls_for(ca_file), call_limits, deadline);
}

// req, target and on_body belong to send()'s frame, which outlives this one.
asio::awaitable<exchange_outcome> client::impl::attempt(
    const request* req, const url* target, std::optional<url> proxy, const chunk_handler* on_body,
    client_limits call_limits, steady_clock::time_point deadline, bool* reused) {
    const connection_key key{target->scheme, target->host, target->port, req->ca_file,
                             proxy ? proxy->authority() : std::string{}};
    exchange_outcome failed;
    // Held to the end of the attempt, whatever ends it (an exception too).
    auto slot = co_await slots_for(key).acquire(deadline);
    if (!slot) {
        failed.answer = slot.error();
        co_return failed;
    }
    auto conn = co_await connect(key, *target, proxy, req->ca_file, call_limits, deadline, reused);
    if (!conn) {
        failed.answer = conn.error();
        co_return failed;
    }
    auto* c = conn->get();
    // Two statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
    exchange_outcome out;
    if (c->secure) {
        out = co_await exchange(&*c->secure, c, req, target, on_body, call_limits, deadline);
    } else {
        out = co_await exchange(&*c->plain, c, req, target, on_body, call_limits, deadline);
    }
    if (out.answer && out.reusable) {
        keep_idle(key, std::move(*conn));  // before the slot goes to the next one
    }
    co_return out;
}

client::client(asio::any_io_executor executor, client_limits limits, proxy_settings proxies)
    : impl_{std::make_unique<impl>()} {
    impl_->executor = std::move(executor);
    impl_->limits = limits;
    impl_->proxies = std::move(proxies);
}

client::~client() = default;

const client_stats& client::stats() const noexcept {
    return impl_->stats;
}
const client_limits& client::limits() const noexcept {
    return impl_->limits;
}

asio::awaitable<result<response>> client::send(request req, chunk_handler on_body) {
    co_return co_await send_kept(&req, std::move(on_body));
}

asio::awaitable<result<response>> client::send_kept(const request* kept, chunk_handler on_body) {
    const request& req = *kept;
    auto target = parse_url(req.url);
    if (!target) {
        co_return result<response>{target.error()};
    }
    ++impl_->stats.requests;
    const auto total =
        req.total_timeout.count() > 0 ? req.total_timeout : impl_->limits.total_timeout;
    const auto deadline = steady_clock::now() + total;
    client_limits limits = impl_->limits;
    if (req.connect_timeout.count() > 0) {
        limits.connect_timeout = limits.tls_timeout = req.connect_timeout;
    }
    if (req.idle_timeout.count() > 0) {
        limits.idle_timeout = req.idle_timeout;
    }
    const auto proxy = impl_->proxies.for_target(*target);
    bool reused = false;
    auto out = co_await impl_->attempt(kept, &*target, proxy, &on_body, limits, deadline, &reused);
    if (!out.answer && reused && out.resendable) {
        // A pooled connection the server closed as the request went out: one fresh try.
        out = co_await impl_->attempt(kept, &*target, proxy, &on_body, limits, deadline, &reused);
    }
    co_return std::move(out.answer);
}

}  // namespace polylogue::http
