#include "support/api_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "polylogue/core/text.hpp"
#include "support/eventually.hpp"

namespace polylogue::test {
using namespace std::chrono_literals;

// One TCP connection to 127.0.0.1:port; its callers bound every call in time.
class connection {
  public:
    explicit connection(std::uint16_t port)
        : fd_{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)} {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 ||
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error{"cannot connect to 127.0.0.1:" + std::to_string(port)};
        }
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() { ::close(fd_); }

    void send_all(std::string_view data) const {
        while (!data.empty()) {
            const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (sent <= 0) {
                throw std::runtime_error{"send failed"};
            }
            data.remove_prefix(static_cast<std::size_t>(sent));
        }
    }

    // Appends what arrives within wait; false at end of stream or on an error.
    bool receive(std::string& into, std::chrono::milliseconds wait) const {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
            return true;  // nothing yet
        }
        char buffer[16384];
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got <= 0) {
            return false;
        }
        into.append(buffer, static_cast<std::size_t>(got));
        return true;
    }

  private:
    int fd_;
};

namespace {

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers,
                const std::string& name) {
    for (const auto& header : headers) {
        if (core::ascii_lower(header.first) == name) {
            return true;
        }
    }
    return false;
}

// A Host or Content-Type among headers replaces the default one.
std::string request_text(const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string text = method + " " + target + " HTTP/1.1\r\n";
    if (!has_header(headers, "host")) {
        text += "host: 127.0.0.1\r\n";
    }
    for (const auto& [name, value] : headers) {
        text += name + ": " + value + "\r\n";
    }
    if (!body.empty() || method == "POST") {
        if (!has_header(headers, "content-type")) {
            text += "content-type: application/json\r\n";
        }
        text += "content-length: " + std::to_string(body.size()) + "\r\n";
    }
    return text + "connection: close\r\n\r\n" + body;
}

// Parses a complete response read to the end of the stream (chunked or not).
api_answer parse_answer(const std::string& raw) {
    api_answer answer;
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || head_end == std::string::npos) {
        return answer;
    }
    answer.status = std::stoi(raw.substr(9, 3));
    std::size_t line = raw.find("\r\n") + 2;
    while (line < head_end) {
        const auto end = raw.find("\r\n", line);
        const auto colon = raw.find(':', line);
        if (colon < end) {
            std::string value = raw.substr(colon + 1, end - colon - 1);
            value.erase(0, value.find_first_not_of(' '));
            answer.headers.emplace_back(core::ascii_lower(raw.substr(line, colon - line)), value);
        }
        line = end + 2;
    }
    std::string body = raw.substr(head_end + 4);
    if (core::ascii_lower(answer.header("transfer-encoding")) == "chunked") {
        std::string joined;
        std::size_t at = 0;
        while (at < body.size()) {
            const auto size_end = body.find("\r\n", at);
            const std::size_t size = std::stoul(body.substr(at, size_end - at), nullptr, 16);
            if (size == 0) {
                break;
            }
            joined += body.substr(size_end + 2, size);
            at = size_end + 2 + size + 2;
        }
        body = std::move(joined);
    }
    answer.body = std::move(body);
    return answer;
}

}  // namespace

std::string api_answer::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

nlohmann::json api_answer::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

api_client::api_client(std::uint16_t port, std::string token)
    : port_{port}, token_{std::move(token)} {}

api_answer api_client::call(const std::string& method, const std::string& target,
                            const std::string& body,
                            std::vector<std::pair<std::string, std::string>> headers,
                            bool with_token) const {
    if (with_token && !token_.empty()) {
        headers.emplace_back("authorization", "Bearer " + token_);
    }
    const connection c{port_};
    c.send_all(request_text(method, target, body, headers));
    std::string raw;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && c.receive(raw, 100ms)) {
    }
    return parse_answer(raw);
}

std::vector<http::sse_event> api_client::read_events(
    const std::string& target, const std::function<bool(const std::vector<http::sse_event>&)>& done,
    std::chrono::milliseconds limit,
    std::vector<std::pair<std::string, std::string>> headers) const {
    headers.emplace_back("authorization", "Bearer " + token_);
    const connection c{port_};
    c.send_all(request_text("GET", target, {}, headers));
    std::vector<http::sse_event> events;
    http::sse_parser parser{[&events](const http::sse_event& e) { events.push_back(e); }};
    std::string raw;
    bool body_started = false;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && !done(events)) {
        std::string more;
        if (!c.receive(more, 50ms)) {
            break;
        }
        raw += more;
        if (!body_started) {
            const auto head_end = raw.find("\r\n\r\n");
            if (head_end == std::string::npos) {
                continue;
            }
            body_started = true;
            more = raw.substr(head_end + 4);
        }
        // Chunk-size lines never look like SSE fields, and a frame split across chunks only
        // gains a stray line; the parser skips lines it does not know.
        parser.feed(more);
    }
    return events;
}

silent_stream::silent_stream(std::uint16_t port, const std::string& target,
                             const std::string& token)
    : connection_{std::make_unique<connection>(port)} {
    connection_->send_all(request_text("GET", target, {}, {{"authorization", "Bearer " + token}}));
}

silent_stream::~silent_stream() = default;

std::uint16_t wait_for_serve_port(const std::filesystem::path& data_dir,
                                  std::chrono::milliseconds limit) {
    std::uint16_t port = 0;
    eventually(
        [&] {
            std::ifstream in{data_dir / "serve.json"};
            const auto info = nlohmann::json::parse(in, nullptr, false);
            if (info.is_object() && info.contains("listen")) {
                const std::string listen = info["listen"];
                port = static_cast<std::uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
            }
            return port != 0;
        },
        limit);
    return port;
}

}  // namespace polylogue::test
