#pragma once
// systemd's readiness and watchdog notifications (the sd_notify protocol), spoken directly rather
// than through libsystemd: one datagram of "KEY=VALUE" lines to the AF_UNIX socket named by
// NOTIFY_SOCKET. Outside systemd (no NOTIFY_SOCKET) every call does nothing. Sending never blocks
// and never fails the daemon: a lost notification is logged once, and the next one is tried.

#include <spdlog/logger.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace polylogue::app {

class service_notify {
  public:
    // Reads NOTIFY_SOCKET ("/path" or "@abstract-name"), WATCHDOG_USEC and WATCHDOG_PID now.
    // log, which may be null, hears of the first problem only.
    explicit service_notify(std::shared_ptr<spdlog::logger> log);
    service_notify(const service_notify&) = delete;
    service_notify& operator=(const service_notify&) = delete;
    ~service_notify();

    // Whether NOTIFY_SOCKET names a socket this process can send to.
    bool enabled() const noexcept { return socket_ != -1; }

    void ready();                        // READY=1: startup, or a reload, is complete
    void reloading();                    // RELOADING=1 and MONOTONIC_USEC; then ready() when done
    void stopping();                     // STOPPING=1
    void status(std::string_view text);  // STATUS=text, shown by systemctl status
    void watchdog();                     // WATCHDOG=1

    // Half the period systemd asked for in WATCHDOG_USEC, or nullopt when it asked for none,
    // asked it of another process (WATCHDOG_PID), or notifications are off.
    std::optional<std::chrono::microseconds> watchdog_interval() const noexcept {
        return watchdog_interval_;
    }

    // Sends WATCHDOG=1 every watchdog_interval() until stop_watchdog(); returns at once when there
    // is no watchdog. Spawn it once on the daemon's loop.
    boost::asio::awaitable<void> run_watchdog();
    // Ends run_watchdog, even when it has not started yet, so the loop can run out of work.
    void stop_watchdog();

    // One message as is: "KEY=VALUE" lines. False when it could not be sent.
    bool send(std::string_view message);

  private:
    void open(std::string_view address);
    void report_once(const std::string& problem);

    std::shared_ptr<spdlog::logger> log_;
    int socket_ = -1;
    std::string address_;  // a sockaddr_un, as bytes
    std::optional<std::chrono::microseconds> watchdog_interval_;
    std::optional<boost::asio::steady_timer> watchdog_timer_;
    bool watchdog_stopped_ = false;
    bool reported_ = false;
};

}  // namespace polylogue::app
