#include "support/fake_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdio>
#include <thread>

#include "polylogue/core/text.hpp"
#include "support/test_ca.hpp"

namespace polylogue::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string recorded_request::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

fake_response fake_response::json(int status, std::string body, header_pairs headers) {
    fake_response r;
    r.status = status;
    r.headers = std::move(headers);
    r.headers.emplace_back("content-type", "application/json");
    r.chunks.push_back(std::move(body));
    return r;
}

fake_response fake_response::sse(std::vector<std::string> events, header_pairs headers) {
    fake_response r;
    r.headers = std::move(headers);
    r.headers.emplace_back("content-type", "text/event-stream");
    r.chunks = std::move(events);
    if (r.chunks.size() == 1) {
        r.chunks.emplace_back();  // still chunked: a stream, not a sized body
    }
    return r;
}

struct fake_server::impl {
    asio::io_context loop;
    tcp::acceptor acceptor{loop};
    std::unique_ptr<ssl::context> tls;
    mutable std::mutex mutex;
    request_handler handler;
    std::vector<recorded_request> seen;
    std::atomic<std::size_t> accepted{0};
    std::thread thread;

    fake_response answer(const recorded_request& r) {
        std::lock_guard lock{mutex};
        seen.push_back(r);
        return handler ? handler(r) : fake_response::json(404, R"({"error":"no handler"})");
    }
};

namespace {

std::string head_of(const fake_response& r) {
    std::string head = "HTTP/1.1 " + std::to_string(r.status) + " Status\r\n";
    for (const auto& [name, value] : r.headers) {
        head += name + ": " + value + "\r\n";
    }
    if (r.chunks.size() > 1) {
        head += "transfer-encoding: chunked\r\n\r\n";
    } else {
        const auto size = r.chunks.empty() ? 0 : r.chunks.front().size();
        head += "content-length: " + std::to_string(size) + "\r\n\r\n";
    }
    return head;
}

std::string chunk_frame(const std::string& data) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return std::string{size} + data + "\r\n";
}

template <class Stream>
asio::awaitable<bool> send_response(Stream* stream, fake_response r) {
    asio::steady_timer timer{co_await asio::this_coro::executor};
    boost::system::error_code ec;
    if (r.drop_request) {
        co_return false;
    }
    if (r.header_delay.count() > 0) {
        timer.expires_after(r.header_delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!r.raw.empty()) {
        co_await asio::async_write(*stream, asio::buffer(r.raw),
                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return false;
    }
    const bool chunked = r.chunks.size() > 1;
    std::string first = head_of(r);
    if (!chunked && !r.chunks.empty()) {
        first += r.chunks.front();
    }
    co_await asio::async_write(*stream, asio::buffer(first),
                               asio::redirect_error(asio::use_awaitable, ec));
    for (std::size_t i = 0; chunked && i < r.chunks.size() && !ec; ++i) {
        if (i > 0 && r.chunk_delay.count() > 0) {
            timer.expires_after(r.chunk_delay);
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        if (r.chunks[i].empty()) {
            continue;
        }
        const std::string frame = chunk_frame(r.chunks[i]);
        co_await asio::async_write(*stream, asio::buffer(frame),
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec || r.cut_after_chunks) {
        co_return false;
    }
    if (chunked) {
        co_await asio::async_write(*stream, asio::buffer(std::string_view{"0\r\n\r\n"}),
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return !ec && !r.close_after_answer;
}

template <class Stream>
asio::awaitable<void> serve_requests(Stream* stream, fake_server::impl* server) {
    beast::flat_buffer buffer;
    for (;;) {
        beast::http::request_parser<beast::http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        boost::system::error_code ec;
        co_await beast::http::async_read(*stream, buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        recorded_request r;
        r.method = std::string{parser.get().method_string()};
        r.target = std::string{parser.get().target()};
        for (const auto& field : parser.get()) {
            r.headers.emplace_back(core::ascii_lower(field.name_string()),
                                   std::string{field.value()});
        }
        r.body = parser.get().body();
        r.received = std::chrono::steady_clock::now();
        if (!co_await send_response(stream, server->answer(r))) {
            co_return;
        }
    }
}

asio::awaitable<void> serve_connection(tcp::socket socket, fake_server::impl* server) {
    if (!server->tls) {
        co_await serve_requests(&socket, server);
        co_return;
    }
    ssl::stream<tcp::socket> stream{std::move(socket), *server->tls};
    boost::system::error_code ec;
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
        co_await serve_requests(&stream, server);
    }
}

asio::awaitable<void> accept_loop(fake_server::impl* server) {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await server->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        ++server->accepted;
        asio::co_spawn(server->loop, serve_connection(std::move(socket), server), asio::detached);
    }
}

}  // namespace

fake_server::fake_server(scheme kind) : impl_{std::make_unique<impl>()} {
    if (kind == scheme::https) {
        const auto& ca = test_ca::instance();
        impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
        impl_->tls->use_certificate_chain(asio::buffer(ca.server_cert_pem));
        impl_->tls->use_private_key(asio::buffer(ca.server_key_pem), ssl::context::pem);
    }
    const tcp::endpoint any_port{asio::ip::make_address("127.0.0.1"), 0};
    impl_->acceptor.open(any_port.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(any_port);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->loop, accept_loop(impl_.get()), asio::detached);
    impl_->thread = std::thread{[this] { impl_->loop.run(); }};
}

fake_server::~fake_server() {
    impl_->loop.stop();
    impl_->thread.join();
}

std::uint16_t fake_server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::string fake_server::base_url() const {
    return std::string{impl_->tls ? "https" : "http"} + "://127.0.0.1:" + std::to_string(port());
}

void fake_server::on_request(request_handler handler) {
    std::lock_guard lock{impl_->mutex};
    impl_->handler = std::move(handler);
}

std::vector<recorded_request> fake_server::requests() const {
    std::lock_guard lock{impl_->mutex};
    return impl_->seen;
}

std::size_t fake_server::connections_accepted() const {
    return impl_->accepted;
}

}  // namespace polylogue::test
