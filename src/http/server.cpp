#include "polylogue/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>

#include "polylogue/core/text.hpp"
#include "server_connection.hpp"

namespace polylogue::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using detail::request_message;

using detail::await_next_request;
using detail::read_request;
using detail::server_core;
using detail::with;
using connection = detail::server_connection;

server_request to_server_request(request_message& message, const std::string& remote) {
    server_request out;
    out.method = std::string{message.method_string()};
    out.target = std::string{message.target()};
    for (const auto& field : message) {
        out.headers.emplace_back(core::ascii_lower(field.name_string()),
                                 std::string{field.value()});
    }
    out.body = std::move(message.body());
    out.remote = remote;
    return out;
}

template <class Body>
void set_headers(beast_http::response<Body>& message, const server_response& response) {
    for (const auto& [name, value] : response.headers) {
        message.insert(name, value);
    }
    message.set(beast_http::field::server, "polylogue");
}

asio::awaitable<bool> write_response(std::shared_ptr<connection> conn, server_response response,
                                     unsigned version, bool keep_alive, bool head) {
    const auto status = static_cast<unsigned>(response.status);
    beast_http::response<beast_http::string_body> message;
    message.version(version);
    message.result(status);
    set_headers(message, response);
    if (status == 204 || status == 304) {
        response.body.clear();  // such a response has no body, by definition
    }
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive);
    message.prepare_payload();
    if (head) {
        message.body().clear();  // content-length stays that of the GET
    }
    error_code ec;
    conn->stream.expires_after(conn->core->settings.write_timeout);
    co_await beast_http::async_write(conn->stream, message, with(ec));
    if (ec && !conn->core->stopping) {
        conn->core->report(conn->remote + ": write failed: " + ec.message());
    }
    co_return !ec;
}

asio::awaitable<void> refuse(std::shared_ptr<connection> conn, int status) {
    co_await write_response(conn, detail::refusal(status), 11, false, false);
}

// A streamed body: chunks on HTTP/1.1, raw bytes ended by the close on HTTP/1.0.
class connection_writer final : public stream_writer {
  public:
    connection_writer(std::shared_ptr<connection> conn, bool chunked)
        : conn_{std::move(conn)}, chunked_{chunked} {}

    asio::awaitable<bool> write(std::string data) override {
        if (conn_->core->stopping) {
            failure_ = asio::error::operation_aborted;
        }
        if (failure_ || data.empty()) {  // an empty chunk would end the body
            co_return !failure_;
        }
        conn_->stream.expires_after(conn_->core->settings.write_timeout);
        if (chunked_) {
            co_await asio::async_write(conn_->stream, beast_http::make_chunk(asio::buffer(data)),
                                       with(failure_));
        } else {
            co_await asio::async_write(conn_->stream, asio::buffer(data), with(failure_));
        }
        co_return !failure_;
    }

    asio::awaitable<void> finish() {
        if (!failure_ && chunked_ && !conn_->core->stopping) {
            conn_->stream.expires_after(conn_->core->settings.write_timeout);
            co_await asio::async_write(conn_->stream, beast_http::make_chunk_last(),
                                       with(failure_));
        }
        if (failure_ && !conn_->core->stopping) {
            conn_->core->report(conn_->remote + ": stream write failed: " + failure_.message());
        }
    }

  private:
    std::shared_ptr<connection> conn_;
    bool chunked_;
    error_code failure_;
};

asio::awaitable<void> run_stream(std::shared_ptr<connection> conn,
                                 std::shared_ptr<response_stream> stream, bool chunked) {
    auto& stats = conn->core->stats;
    ++stats.open_streams;
    connection_writer writer{conn, chunked};
    std::string failure;
    try {
        co_await stream->run(writer);
    } catch (...) {
        failure = detail::describe(std::current_exception());
    }
    --stats.open_streams;
    if (failure.empty()) {
        co_await writer.finish();  // a failed stream is cut, so the peer does not take it whole
    } else {
        conn->core->report(conn->remote + ": stream failed: " + failure);
    }
}

asio::awaitable<void> write_stream(std::shared_ptr<connection> conn, server_response response,
                                   unsigned version) {
    beast_http::response<beast_http::empty_body> message;
    message.version(version);
    message.result(static_cast<unsigned>(response.status));
    set_headers(message, response);
    message.keep_alive(false);
    const bool chunked = version == 11;
    message.chunked(chunked);
    beast_http::response_serializer<beast_http::empty_body> serializer{message};
    error_code ec;
    conn->stream.expires_after(conn->core->settings.write_timeout);
    co_await beast_http::async_write_header(conn->stream, serializer, with(ec));
    if (ec) {
        if (!conn->core->stopping) {
            conn->core->report(conn->remote + ": write failed: " + ec.message());
        }
        co_return;
    }
    co_await run_stream(conn, std::move(response.stream), chunked);
}

// Answers one request; true when the connection may carry another.
asio::awaitable<bool> answer(std::shared_ptr<connection> conn, request_message message) {
    const unsigned version = message.version();
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == beast_http::verb::head;
    auto response =
        co_await detail::call_handler(conn->core, to_server_request(message, conn->remote));
    if (conn->core->stopping) {
        co_return false;
    }
    if (!response) {
        co_await refuse(conn, 500);
        co_return false;
    }
    if (response->stream) {
        co_await write_stream(conn, std::move(*response), version);
        co_return false;
    }
    const bool written =
        co_await write_response(conn, std::move(*response), version, keep_alive, head);
    const bool reusable = written && keep_alive && !conn->core->stopping;
    co_return reusable;
}

// Closes after the answer has left: a peer still sending would otherwise get a reset, which
// may discard the answer before it reads it. So: no more output, then drain a short while.
asio::awaitable<void> close_gently(std::shared_ptr<connection> conn) {
    error_code ec;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    const auto drain = std::min<std::chrono::milliseconds>(conn->core->settings.read_timeout,
                                                           std::chrono::seconds{1});
    conn->stream.expires_after(drain);
    std::array<char, 4096> scratch{};
    while (!ec && !conn->core->stopping) {
        co_await conn->stream.async_read_some(asio::buffer(scratch), with(ec));
    }
    conn->stream.close();
}

asio::awaitable<void> serve_connection(std::shared_ptr<connection> conn) {
    auto core = conn->core;
    for (bool first = true; !core->stopping; first = false) {
        if (!first) {
            core->set_phase(conn->id, detail::connection_phase::waiting);
            const bool more = co_await await_next_request(conn);
            if (!more) {
                break;  // the peer left, or stayed silent past idle_timeout: both ordinary
            }
            core->set_phase(conn->id, detail::connection_phase::reading);
        }
        auto in = co_await read_request(conn);
        if (in.refusal != 0 && !core->stopping) {
            co_await refuse(conn, in.refusal);
        }
        if (!in.problem.empty() && !core->stopping) {
            core->report(conn->remote + ": " + in.problem);
        }
        if (!in.message) {
            break;
        }
        core->set_phase(conn->id, detail::connection_phase::busy);
        ++core->stats.requests;
        const bool reusable = co_await answer(conn, std::move(*in.message));
        if (!reusable) {
            break;
        }
    }
    co_await close_gently(conn);
}

// Completion of a connection coroutine: contains whatever escaped it.
struct connection_ended {
    std::weak_ptr<server_core> core;

    void operator()(const std::exception_ptr& failure) const {
        const auto owner = core.lock();
        if (failure && owner) {
            owner->report("connection failed: " + detail::describe(failure));
        }
    }
};

void admit(const std::shared_ptr<server_core>& core, tcp::socket socket) {
    if (core->full() && !core->make_room()) {
        error_code ignored;
        socket.close(ignored);
        return;
    }
    ++core->stats.connections_accepted;
    auto conn = std::make_shared<connection>(core, std::move(socket));
    conn->id = core->enrol(conn);
    asio::co_spawn(core->executor, serve_connection(std::move(conn)), connection_ended{core});
}

// A run of failures is told at its first and then once a minute (every 600th, 100 ms apart), so
// that running out of descriptors is visible without a line every 100 ms.
bool worth_telling(std::uint64_t failures_in_a_row) {
    return failures_in_a_row % 600 == 1;
}

asio::awaitable<void> accept_loop(std::shared_ptr<server_core> core) {
    std::uint64_t failures_in_a_row = 0;
    while (!core->stopping) {
        error_code ec;
        auto socket = co_await core->acceptor.async_accept(with(ec));
        if (core->stopping) {
            break;
        }
        if (!ec) {
            failures_in_a_row = 0;
            admit(core, std::move(socket));
            continue;
        }
        ++core->stats.accept_failures;
        if (worth_telling(++failures_in_a_row)) {
            core->report_accept_failure(ec.message(), failures_in_a_row);
        }
        // Out of descriptors, say: let some connections end before trying again.
        asio::steady_timer pause{core->executor, std::chrono::milliseconds{100}};
        co_await pause.async_wait(with(ec));
    }
}

}  // namespace

struct server::impl {
    std::shared_ptr<server_core> core;
};

server::server(std::unique_ptr<impl> state) : impl_{std::move(state)} {}

server::~server() {
    impl_->core->stop();
    impl_->core->on_error = nullptr;
    impl_->core->on_accept_failure = nullptr;
    impl_->core->on_full = nullptr;
}

result<std::unique_ptr<server>> server::listen(asio::any_io_executor executor,
                                               std::string_view listen_address,
                                               server_settings settings, request_handler& handler) {
    auto core = std::make_shared<server_core>(std::move(executor), settings, handler);
    if (auto opened = detail::open_acceptor(*core, listen_address); !opened) {
        return opened.error();
    }
    auto state = std::make_unique<impl>();
    state->core = core;
    std::unique_ptr<server> out{new server{std::move(state)}};
    core->on_error = &out->on_error;
    core->on_accept_failure = &out->on_accept_failure;
    core->on_full = &out->on_full;
    return out;
}

std::uint16_t server::port() const noexcept {
    return impl_->core->port;
}

asio::awaitable<void> server::run() {
    co_await accept_loop(impl_->core);
}

void server::stop() {
    impl_->core->stop();
}

const server_stats& server::stats() const noexcept {
    return impl_->core->stats;
}

}  // namespace polylogue::http
