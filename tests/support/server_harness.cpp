#include "support/server_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace polylogue::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

asio::awaitable<http::server_response> scripted_handler::handle(http::server_request request) {
    seen.push_back(request);
    co_return respond(seen.back());
}

http::server_response text_response(int status, std::string body) {
    http::server_response out;
    out.status = status;
    out.headers = {{"content-type", "text/plain"}};
    out.body = std::move(body);
    return out;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds pause) {
    asio::steady_timer timer{co_await asio::this_coro::executor, pause};
    co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<tcp::socket> connect_raw(std::uint16_t port, int receive_buffer) {
    tcp::socket socket{co_await asio::this_coro::executor};
    socket.open(tcp::v4());
    if (receive_buffer > 0) {
        socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    }
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    co_return socket;
}

asio::awaitable<void> send_raw(tcp::socket* socket, std::string bytes) {
    co_await asio::async_write(*socket, asio::buffer(bytes), asio::use_awaitable);
}

asio::awaitable<std::string> read_until_tail(tcp::socket* socket, std::string tail) {
    std::string out;
    std::array<char, 4096> chunk{};
    boost::system::error_code ec;
    while (!ec && !out.ends_with(tail)) {
        const auto n = co_await socket->async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        out.append(chunk.data(), n);
    }
    co_return out;
}

asio::awaitable<std::string> read_to_end(tcp::socket* socket) {
    std::string out;
    boost::system::error_code ec;
    co_await asio::async_read(*socket, asio::dynamic_buffer(out),
                              asio::redirect_error(asio::use_awaitable, ec));
    co_return out;
}

asio::awaitable<std::string> exchange_raw(std::uint16_t port, std::string bytes) {
    auto socket = co_await connect_raw(port);
    co_await send_raw(&socket, std::move(bytes));
    co_return co_await read_to_end(&socket);
}

std::string body_of(const std::string& raw_response) {
    const auto end_of_head = raw_response.find("\r\n\r\n");
    return end_of_head == std::string::npos ? std::string{} : raw_response.substr(end_of_head + 4);
}

namespace {

asio::awaitable<void> run_server(http::server* server, bool* returned) {
    co_await server->run();
    *returned = true;
}

}  // namespace

void server_fixture::start() {
    auto listening = http::server::listen(loop.get_executor(), "127.0.0.1:0", settings, handler);
    ASSERT_TRUE(listening) << listening.error().message();
    server = std::move(*listening);
    server->on_error = [this](std::string_view what) { errors.emplace_back(what); };
    asio::co_spawn(loop, run_server(server.get(), &run_returned), asio::detached);
}

std::string server_fixture::base_url() const {
    return "http://127.0.0.1:" + std::to_string(server->port());
}

bool server_fixture::reported(std::string_view fragment) const {
    for (const auto& error : errors) {
        if (error.find(fragment) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace polylogue::test
