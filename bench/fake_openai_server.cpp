#include "fake_openai_server.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "schedstat.hpp"
#include "support/prompt_prefix.hpp"

namespace polylogue::bench {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using steady_clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view room_marker = "bench room ";
constexpr std::uint64_t max_request_body = 512ull * 1024 * 1024;
constexpr std::size_t read_buffer_bytes = 64 * 1024;

std::string http_chunk(const std::string& data) {
    char size[32];
    const int length = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return std::string{size, static_cast<std::size_t>(length)} + data + "\r\n";
}

// What an OpenAI-compatible server streams for a reply: one delta per piece, a chunk with the
// finish reason, one with the usage, then [DONE]; each event in its own HTTP chunk.
std::string make_answer(const std::vector<std::string>& words) {
    std::vector<std::string> events;
    for (const auto& word : words) {
        nlohmann::json delta{{"id", "bench"},
                             {"object", "chat.completion.chunk"},
                             {"choices", {{{"index", 0}, {"delta", {{"content", word}}}}}}};
        events.push_back("data: " + delta.dump() + "\n\n");
    }
    nlohmann::json stop{
        {"id", "bench"},
        {"object", "chat.completion.chunk"},
        {"choices",
         {{{"index", 0}, {"delta", nlohmann::json::object()}, {"finish_reason", "stop"}}}}};
    events.push_back("data: " + stop.dump() + "\n\n");
    nlohmann::json usage{{"id", "bench"},
                         {"object", "chat.completion.chunk"},
                         {"choices", nlohmann::json::array()},
                         {"usage", {{"prompt_tokens", 40}, {"completion_tokens", 6}}}};
    events.push_back("data: " + usage.dump() + "\n\n");
    events.emplace_back("data: [DONE]\n\n");
    std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (const auto& event : events) {
        out += http_chunk(event);
    }
    return out + "0\r\n\r\n";
}

std::string make_answer() {
    return make_answer({"Noted,", " I", " will", " keep", " this", " short."});
}

// A varied reply comes in four deltas, as a streamed reply of its size would.
std::string make_answer(const std::string& text) {
    constexpr std::size_t pieces = 4;
    const std::size_t step = text.size() / pieces + 1;
    std::vector<std::string> deltas;
    for (std::size_t at = 0; at < text.size(); at += step) {
        deltas.push_back(text.substr(at, step));
    }
    return make_answer(deltas);
}

}  // namespace

std::string room_of(std::string_view body) {
    const auto at = body.find(room_marker);
    if (at == std::string_view::npos) {
        return {};
    }
    const auto start = at + room_marker.size();
    const auto end = body.find_first_of(" \"\\", start);
    return std::string{body.substr(start, end == std::string_view::npos ? end : end - start)};
}

struct fake_openai_server::impl {
    asio::io_context loop{1};
    tcp::acceptor acceptor{loop};
    std::string answer = make_answer();
    std::atomic<std::size_t> reply_bytes{0};     // vary_replies
    std::atomic<std::uint64_t> first_varied{0};  // its replies are numbered from this request
    std::atomic<std::uint64_t> total{0};
    std::atomic<long> tid{0};
    std::thread thread;

    mutable std::mutex mutex;
    mutable std::condition_variable arrived;
    // Per room: when its last request was answered (empty while one is in progress).
    std::unordered_map<std::string, std::optional<steady_clock::time_point>> rooms;
    bool measuring = false;
    std::size_t sample_size = 0;
    std::uint64_t sampled_from = 0;
    steady_clock::time_point window_start;
    std::chrono::nanoseconds window_cpu_start{0};
    window_report window;
    std::minstd_rand random{42};

    // The room, and the request's number counted from 0.
    std::pair<std::string, std::uint64_t> on_request(const std::string& body,
                                                     steady_clock::time_point when);
    void on_answered(const std::string& room, steady_clock::time_point when);
    void keep_sample(const std::string& body);
};

std::pair<std::string, std::uint64_t> fake_openai_server::impl::on_request(
    const std::string& body, steady_clock::time_point when) {
    std::string room = room_of(body);
    std::uint64_t number = 0;
    {
        std::lock_guard lock{mutex};
        auto& last_answer = rooms[room];
        if (measuring) {
            ++window.requests;
            window.body_bytes += body.size();
            if (last_answer && !room.empty()) {
                window.gaps.push_back(when - *last_answer);
            }
            keep_sample(body);
        }
        last_answer.reset();
        number = total.fetch_add(1, std::memory_order_relaxed);
    }
    arrived.notify_all();
    return {std::move(room), number};
}

void fake_openai_server::impl::keep_sample(const std::string& body) {
    // Reservoir sampling: every body of the window is equally likely to be kept.
    ++sampled_from;
    if (window.bodies.size() < sample_size) {
        window.bodies.push_back(body);
        return;
    }
    const auto slot = std::uniform_int_distribution<std::uint64_t>{0, sampled_from - 1}(random);
    if (slot < sample_size) {
        window.bodies[slot] = body;
    }
}

void fake_openai_server::impl::on_answered(const std::string& room, steady_clock::time_point when) {
    std::lock_guard lock{mutex};
    rooms[room] = when;
}

namespace {

asio::awaitable<void> serve_connection(tcp::socket socket, fake_openai_server::impl* self) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay{true}, ec);
    // Beast reads at most the buffer's spare capacity (512 bytes at least): without room to
    // spare, a large body would come in 512-byte reads, each a trip through the reactor.
    boost::beast::flat_buffer buffer;
    buffer.reserve(read_buffer_bytes);
    for (;;) {
        beast_http::request_parser<beast_http::string_body> parser;
        parser.body_limit(max_request_body);
        co_await beast_http::async_read(socket, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        const auto request = self->on_request(parser.get().body(), steady_clock::now());
        const std::string& room = request.first;
        const std::size_t reply_bytes = self->reply_bytes.load(std::memory_order_relaxed);
        const std::string own = reply_bytes == 0
                                    ? std::string{}
                                    : make_answer(test::varied_reply(
                                          request.second - self->first_varied.load(), reply_bytes));
        co_await asio::async_write(socket, asio::buffer(own.empty() ? self->answer : own),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        self->on_answered(room, steady_clock::now());
        if (!parser.get().keep_alive()) {
            co_return;
        }
    }
}

asio::awaitable<void> accept_loop(fake_openai_server::impl* self) {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await self->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) {
            co_return;
        }
        if (!ec) {
            asio::co_spawn(self->loop, serve_connection(std::move(socket), self), asio::detached);
        }
    }
}

}  // namespace

fake_openai_server::fake_openai_server() : impl_{std::make_unique<impl>()} {
    const tcp::endpoint local{asio::ip::make_address("127.0.0.1"), 0};
    impl_->acceptor.open(local.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address{true});
    impl_->acceptor.bind(local);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
    asio::co_spawn(impl_->loop, accept_loop(impl_.get()), asio::detached);
    impl_->thread = std::thread{[self = impl_.get()] {
        self->tid = static_cast<long>(::syscall(SYS_gettid));
        self->tid.notify_all();
        self->loop.run();
    }};
    impl_->tid.wait(0);
}

fake_openai_server::~fake_openai_server() {
    impl_->loop.stop();
    impl_->thread.join();
}

std::uint16_t fake_openai_server::port() const noexcept {
    return impl_->acceptor.local_endpoint().port();
}

std::string fake_openai_server::base_url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
}

const std::string& fake_openai_server::answer() const noexcept {
    return impl_->answer;
}

void fake_openai_server::vary_replies(std::size_t mean_bytes) {
    impl_->first_varied.store(requests());
    impl_->reply_bytes.store(mean_bytes);
}

std::uint64_t fake_openai_server::requests() const noexcept {
    return impl_->total.load(std::memory_order_relaxed);
}

std::uint64_t fake_openai_server::wait_for_requests(std::uint64_t count,
                                                    std::chrono::milliseconds limit) const {
    std::unique_lock lock{impl_->mutex};
    impl_->arrived.wait_for(lock, limit, [&] { return requests() >= count; });
    return requests();
}

std::size_t fake_openai_server::rooms_seen() const {
    std::lock_guard lock{impl_->mutex};
    return impl_->rooms.size();
}

void fake_openai_server::forget_rooms() {
    std::lock_guard lock{impl_->mutex};
    impl_->rooms.clear();
}

void fake_openai_server::begin_window(std::size_t sample_size) {
    const auto cpu = cpu_time();
    std::lock_guard lock{impl_->mutex};
    impl_->window = window_report{};
    impl_->sample_size = sample_size;
    impl_->sampled_from = 0;
    impl_->measuring = true;
    impl_->window_start = steady_clock::now();
    impl_->window_cpu_start = cpu;
}

window_report fake_openai_server::end_window() {
    const auto cpu = cpu_time();
    std::lock_guard lock{impl_->mutex};
    impl_->measuring = false;
    window_report out = std::move(impl_->window);
    impl_->window = window_report{};
    out.elapsed = steady_clock::now() - impl_->window_start;
    out.server_cpu = cpu - impl_->window_cpu_start;
    return out;
}

std::chrono::nanoseconds fake_openai_server::cpu_time() const {
    return read_schedstat("/proc/self/task/" + std::to_string(impl_->tid.load()) + "/schedstat")
        .on_cpu;
}

}  // namespace polylogue::bench
