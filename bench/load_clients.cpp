#include "load_clients.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "polylogue/http/client.hpp"

namespace polylogue::bench {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using steady_clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t max_answer_body = 64 * 1024 * 1024;
constexpr std::size_t read_buffer_bytes = 64 * 1024;
constexpr std::chrono::seconds get_time_limit{5};

thread_times this_thread() {
    return read_schedstat("/proc/thread-self/schedstat");
}

tcp::endpoint loopback(std::uint16_t port) {
    return {asio::ip::make_address("127.0.0.1"), port};
}

// The bytes Polylogue's client puts on the wire for a chat completion, minus nothing.
std::string serialised_request(std::uint16_t port, const std::string& body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUser-Agent: polylogue-bench\r\nAuthorization: Bearer bench\r\n"
           "Content-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct load_plan {
    std::uint16_t port = 0;
    const std::vector<std::string>* payloads = nullptr;  // requests or bodies, used in turn
    steady_clock::time_point until;
    std::uint64_t* completed = nullptr;
};

asio::awaitable<void> plain_worker(load_plan plan, std::size_t first) {
    boost::system::error_code ec;
    tcp::socket socket{co_await asio::this_coro::executor};
    co_await socket.async_connect(loopback(plan.port),
                                  asio::redirect_error(asio::use_awaitable, ec));
    socket.set_option(tcp::no_delay{true}, ec);
    boost::beast::flat_buffer buffer;
    buffer.reserve(read_buffer_bytes);  // reads of up to 64 KiB, not 512 bytes
    for (std::size_t i = first; !ec && steady_clock::now() < plan.until; ++i) {
        const std::string& request = (*plan.payloads)[i % plan.payloads->size()];
        co_await asio::async_write(socket, asio::buffer(request),
                                   asio::redirect_error(asio::use_awaitable, ec));
        beast_http::response_parser<beast_http::string_body> parser;
        parser.body_limit(max_answer_body);
        if (!ec) {
            co_await beast_http::async_read(socket, buffer, parser,
                                            asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && parser.get().result_int() == 200) {
            ++*plan.completed;
        }
    }
}

asio::awaitable<void> polylogue_worker(http::client* client, load_plan plan, std::size_t first) {
    const std::string url =
        "http://127.0.0.1:" + std::to_string(plan.port) + "/v1/chat/completions";
    for (std::size_t i = first; steady_clock::now() < plan.until; ++i) {
        http::request req;
        req.url = url;
        req.headers = {{"authorization", "Bearer bench"},
                       {"content-type", "application/json"},
                       {"accept", "text/event-stream"}};
        req.body = (*plan.payloads)[i % plan.payloads->size()];
        std::size_t streamed = 0;
        auto answer = co_await client->send(
            std::move(req), [&streamed](std::string_view chunk) { streamed += chunk.size(); });
        if (!answer || answer->status != 200 || streamed == 0) {
            co_return;
        }
        ++*plan.completed;
    }
}

asio::awaitable<void> get_once(std::uint16_t port, std::string target, std::string* body) {
    boost::system::error_code ec;
    tcp::socket socket{co_await asio::this_coro::executor};
    co_await socket.async_connect(loopback(port), asio::redirect_error(asio::use_awaitable, ec));
    beast_http::request<beast_http::empty_body> request{beast_http::verb::get, target, 11};
    request.set(beast_http::field::host, "127.0.0.1:" + std::to_string(port));
    request.keep_alive(false);
    if (!ec) {
        co_await beast_http::async_write(socket, request,
                                         asio::redirect_error(asio::use_awaitable, ec));
    }
    boost::beast::flat_buffer buffer;
    beast_http::response<beast_http::string_body> response;
    if (!ec) {
        co_await beast_http::async_read(socket, buffer, response,
                                        asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!ec && response.result_int() == 200) {
        *body = std::move(response.body());
    }
}

}  // namespace

rate_result run_plain_client(std::uint16_t port, const std::vector<std::string>& bodies,
                             int concurrency, std::chrono::milliseconds duration) {
    std::vector<std::string> requests;
    for (const auto& body : bodies) {
        requests.push_back(serialised_request(port, body));
    }
    asio::io_context loop{1};
    rate_result out;
    const auto before = this_thread();
    const auto start = steady_clock::now();
    const load_plan plan{port, &requests, start + duration, &out.requests};
    for (int i = 0; i < concurrency; ++i) {
        asio::co_spawn(loop, plain_worker(plan, static_cast<std::size_t>(i)), asio::detached);
    }
    loop.run();
    out.elapsed = steady_clock::now() - start;
    out.client = this_thread() - before;
    return out;
}

rate_result run_polylogue_client(std::uint16_t port, const std::vector<std::string>& bodies,
                                 int concurrency, std::chrono::milliseconds duration) {
    asio::io_context loop{1};
    http::client client{loop.get_executor(), http::client_limits{}, http::proxy_settings{}};
    rate_result out;
    const auto before = this_thread();
    const auto start = steady_clock::now();
    const load_plan plan{port, &bodies, start + duration, &out.requests};
    for (int i = 0; i < concurrency; ++i) {
        asio::co_spawn(loop, polylogue_worker(&client, plan, static_cast<std::size_t>(i)),
                       asio::detached);
    }
    loop.run();
    out.elapsed = steady_clock::now() - start;
    out.client = this_thread() - before;
    return out;
}

std::string http_get(std::uint16_t port, const std::string& target) {
    asio::io_context loop{1};
    std::string body;
    asio::co_spawn(loop, get_once(port, target, &body), asio::detached);
    // A daemon out of file descriptors accepts nothing: the connection would wait forever.
    loop.run_for(get_time_limit);
    return body;
}

}  // namespace polylogue::bench
