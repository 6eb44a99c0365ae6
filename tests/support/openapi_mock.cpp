#include "support/openapi_mock.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace polylogue::test {
namespace {

using namespace std::chrono_literals;

constexpr auto ready_limit = 60s;  // loading OpenAI's 2 MB description takes ~1 s unloaded
constexpr int start_attempts = 3;  // the free port may be taken between probe and bind

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error{what + ": " + std::strerror(errno)};
}

class socket_fd {
  public:
    socket_fd() : fd_{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)} {
        if (fd_ < 0) {
            fail("socket");
        }
    }
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    ~socket_fd() { ::close(fd_); }
    int get() const noexcept { return fd_; }

  private:
    int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

void connect_loopback(int fd, std::uint16_t port, std::chrono::milliseconds timeout) {
    timeval limit{};
    limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    const sockaddr_in address = loopback(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail("connect to 127.0.0.1:" + std::to_string(port));
    }
}

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent < 0) {
            fail("send");
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
}

std::string receive_all(int fd) {
    std::string received;
    std::array<char, 16384> buffer{};
    for (;;) {
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got == 0) {
            return received;
        }
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            fail("recv (a timeout reads as EAGAIN)");
        }
        received.append(buffer.data(), static_cast<std::size_t>(got));
    }
}

std::string lower(std::string_view text) {
    std::string out{text};
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

std::string dechunk(std::string_view body) {
    std::string out;
    for (;;) {
        const auto line_end = body.find("\r\n");
        std::size_t size = 0;
        if (line_end == std::string_view::npos ||
            std::from_chars(body.data(), body.data() + line_end, size, 16).ec != std::errc{}) {
            throw std::runtime_error{"bad chunked body"};
        }
        body.remove_prefix(line_end + 2);
        if (size == 0) {
            return out;
        }
        if (body.size() < size + 2) {
            throw std::runtime_error{"truncated chunked body"};
        }
        out.append(body.substr(0, size));
        body.remove_prefix(size + 2);
    }
}

http_response parse_response(std::string_view raw) {
    const auto head_end = raw.find("\r\n\r\n");
    if (!raw.starts_with("HTTP/1.") || raw.size() < 12 || head_end == std::string_view::npos) {
        throw std::runtime_error{"not an HTTP/1 response: " + std::string{raw.substr(0, 200)}};
    }
    http_response response;
    std::from_chars(raw.data() + 9, raw.data() + 12, response.status);
    std::string_view head = raw.substr(0, head_end + 2);
    head.remove_prefix(head.find("\r\n") + 2);  // past the status line
    while (!head.empty()) {
        const auto line = head.substr(0, head.find("\r\n"));
        head.remove_prefix(line.size() + 2);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            response.headers.emplace_back(lower(line.substr(0, colon)),
                                          std::string{trim(line.substr(colon + 1))});
        }
    }
    const std::string_view body = raw.substr(head_end + 4);
    response.body = lower(response.header("transfer-encoding")) == "chunked" ? dechunk(body)
                                                                             : std::string{body};
    return response;
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const std::vector<char*>& argv, const char* log) {
    ::setpgid(0, 0);  // its own group, so stopping it also stops anything it spawned
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test run leaves no server behind
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
        ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

}  // namespace

std::string http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

http_response http_post(std::uint16_t port, const std::string& target, const http_headers& headers,
                        const std::string& body, std::chrono::milliseconds timeout) {
    socket_fd socket;
    connect_loopback(socket.get(), port, timeout);
    std::string request =
        "POST " + target + " HTTP/1.1\r\nhost: 127.0.0.1:" + std::to_string(port) +
        "\r\ncontent-length: " + std::to_string(body.size()) + "\r\nconnection: close\r\n";
    for (const auto& [name, value] : headers) {
        request += name + ": " + value + "\r\n";
    }
    request += "\r\n" + body;
    send_all(socket.get(), request);
    return parse_response(receive_all(socket.get()));
}

// Steady's banner differs between a terminal and CI (GitHub annotations), so readiness is
// judged by the port accepting a connection, never by parsing its output.
bool accepts_connections(std::uint16_t port) {
    socket_fd socket;
    const sockaddr_in address = loopback(port);
    return ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) ==
           0;
}

std::uint16_t free_loopback_port() {
    socket_fd socket;
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        fail("probing for a free port");
    }
    return ntohs(address.sin_port);
}

std::optional<std::filesystem::path> find_steady(const std::filesystem::path& openapi_dir) {
    const auto modules = openapi_dir / "node_modules";
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator{modules / "@stdy", ignored}) {
        const auto binary = entry.path() / "bin" / "steady";
        if (entry.path().filename().string().starts_with("cli-") &&
            ::access(binary.c_str(), X_OK) == 0) {
            return binary;
        }
    }
    const auto wrapper = modules / ".bin" / "steady";
    if (::access(wrapper.c_str(), X_OK) == 0) {
        return wrapper;
    }
    return std::nullopt;
}

steady_server::steady_server(const std::filesystem::path& steady,
                             const std::filesystem::path& spec) {
    for (int attempt = 0; attempt < start_attempts; ++attempt) {
        if (start(steady, spec)) {
            return;
        }
    }
    throw std::runtime_error{"steady exited before it was ready:\n" + output()};
}

steady_server::~steady_server() {
    stop();
}

std::string steady_server::output() const {
    return read_file(dir_ / "steady.log");
}

bool steady_server::start(const std::filesystem::path& steady, const std::filesystem::path& spec) {
    port_ = free_loopback_port();
    std::vector<std::string> args{steady.string(),       "--host",     "127.0.0.1",  "-p",
                                  std::to_string(port_), "--no-color", spec.string()};
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const std::string log = (dir_ / "steady.log").string();
    pid_ = ::fork();
    if (pid_ < 0) {
        fail("fork");
    }
    if (pid_ == 0) {
        exec_child(argv, log.c_str());
    }
    ::setpgid(pid_, pid_);  // also here: whichever of parent and child runs first wins
    const auto deadline = std::chrono::steady_clock::now() + ready_limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (accepts_connections(port_)) {
            return true;
        }
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    stop();
    throw std::runtime_error{"steady was not ready within 60 s:\n" + output()};
}

void steady_server::stop() noexcept {
    if (pid_ <= 0) {
        return;
    }
    ::kill(-pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    // WNOWAIT leaves the leader a zombie, so its group id cannot be reused before the last kill.
    for (;;) {
        siginfo_t info{};
        const int polled =
            ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
        if (polled != 0 || info.si_pid != 0 || std::chrono::steady_clock::now() > deadline) {
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    ::kill(-pid_, SIGKILL);  // whatever is left of its group
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

}  // namespace polylogue::test
