#include "polylogue/app/service_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <system_error>

namespace polylogue::app {
namespace {

namespace asio = boost::asio;
using std::chrono::microseconds;

// A decimal number of at most 19 digits (below 2^63); nullopt for anything else.
std::optional<std::uint64_t> parse_unsigned(const char* text) {
    const std::string_view digits{text};
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (const char c : digits) {
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

// What sd_watchdog_enabled(3) reads: WATCHDOG_USEC, for this process unless WATCHDOG_PID names
// another one (a watchdog meant for a parent must not be fed by its child).
std::optional<microseconds> requested_watchdog_period() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    const auto period = usec ? parse_unsigned(usec) : std::nullopt;
    if (!period || *period == 0) {
        return std::nullopt;
    }
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && *pid != '\0') {
        const auto owner = parse_unsigned(pid);
        if (!owner || *owner != static_cast<std::uint64_t>(::getpid())) {
            return std::nullopt;
        }
    }
    return microseconds{static_cast<microseconds::rep>(*period)};
}

std::uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
           static_cast<std::uint64_t>(now.tv_nsec) / 1000;
}

}  // namespace

service_notify::service_notify(std::shared_ptr<spdlog::logger> log) : log_{std::move(log)} {
    if (const char* address = std::getenv("NOTIFY_SOCKET");
        address != nullptr && *address != '\0') {
        open(address);
    }
    const auto period = requested_watchdog_period();
    if (period && enabled()) {
        // Half the period, as sd_watchdog_enabled(3) advises; never a busy loop.
        watchdog_interval_ = std::max(*period / 2, microseconds{1000});
    }
}

service_notify::~service_notify() {
    if (socket_ != -1) {
        ::close(socket_);
    }
}

void service_notify::open(std::string_view address) {
    sockaddr_un target{};
    target.sun_family = AF_UNIX;
    const bool abstract = address.front() == '@';
    // A path needs room for its terminating NUL; an abstract name has its leading NUL instead.
    const std::size_t room = sizeof target.sun_path - (abstract ? 0 : 1);
    if ((!abstract && address.front() != '/') || address.size() > room) {
        report_once("NOTIFY_SOCKET='" + std::string{address} +
                    "' is not a socket path or an @abstract name this daemon can use; systemd "
                    "notifications are off");
        return;
    }
    std::memcpy(target.sun_path, address.data(), address.size());
    if (abstract) {
        target.sun_path[0] = '\0';
    }
    const std::size_t length =
        offsetof(sockaddr_un, sun_path) + address.size() + (abstract ? 0 : 1);
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (socket_ == -1) {
        report_once("cannot create a socket for systemd notifications: " +
                    std::generic_category().message(errno));
        return;
    }
    address_.assign(reinterpret_cast<const char*>(&target), length);
}

void service_notify::report_once(const std::string& problem) {
    if (!reported_ && log_) {
        log_->warn("{}", problem);
    }
    reported_ = true;
}

bool service_notify::send(std::string_view message) {
    if (socket_ == -1) {
        return false;
    }
    const auto sent = ::sendto(socket_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                               reinterpret_cast<const sockaddr*>(address_.data()),
                               static_cast<socklen_t>(address_.size()));
    if (sent < 0) {
        report_once("cannot notify systemd through NOTIFY_SOCKET: " +
                    std::generic_category().message(errno) + " (further failures are not logged)");
        return false;
    }
    return true;
}

void service_notify::ready() {
    send("READY=1");
}

void service_notify::reloading() {
    // systemd 253 and later, for Type=notify-reload, want the time the reload began.
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

void service_notify::stopping() {
    send("STOPPING=1");
}

void service_notify::status(std::string_view text) {
    // A line break would start another assignment (READY=1 hidden in a room's name, say).
    std::string line{"STATUS="};
    for (const char c : text) {
        line += c == '\n' || c == '\r' ? ' ' : c;
    }
    send(line);
}

void service_notify::watchdog() {
    send("WATCHDOG=1");
}

asio::awaitable<void> service_notify::run_watchdog() {
    if (!watchdog_interval_ || watchdog_stopped_) {
        co_return;
    }
    watchdog_timer_.emplace(co_await asio::this_coro::executor);
    while (!watchdog_stopped_) {
        watchdog_timer_->expires_after(*watchdog_interval_);
        boost::system::error_code ec;
        co_await watchdog_timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec || watchdog_stopped_) {
            break;
        }
        watchdog();
    }
}

void service_notify::stop_watchdog() {
    watchdog_stopped_ = true;
    if (watchdog_timer_) {
        watchdog_timer_->cancel();
    }
}

}  // namespace polylogue::app
