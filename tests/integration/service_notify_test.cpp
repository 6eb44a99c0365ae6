// The sd_notify protocol against real AF_UNIX datagram sockets standing in for systemd.

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "polylogue/app/service_notify.hpp"
#include "support/loop.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// systemd's end of the protocol: a bound datagram socket, at a path or an abstract name.
class fake_systemd {
  public:
    // name: a path, or "@name" for the abstract namespace, as NOTIFY_SOCKET writes it.
    explicit fake_systemd(const std::string& name) : name_{name} {
        socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, name.data(), name.size());
        if (name.front() == '@') {
            address.sun_path[0] = '\0';
        }
        const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
        if (socket_ == -1 || ::bind(socket_, reinterpret_cast<sockaddr*>(&address), length) != 0) {
            throw std::runtime_error{"cannot bind " + name + ": " + std::strerror(errno)};
        }
    }
    fake_systemd(const fake_systemd&) = delete;
    fake_systemd& operator=(const fake_systemd&) = delete;
    ~fake_systemd() { ::close(socket_); }

    const std::string& name() const noexcept { return name_; }

    // The next datagram, or nullopt when none comes within wait.
    std::optional<std::string> receive(std::chrono::milliseconds wait = 2s) const {
        pollfd ready{socket_, POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(wait.count())) != 1) {
            return std::nullopt;
        }
        std::string buffer(4096, '\0');
        const auto size = ::recv(socket_, buffer.data(), buffer.size(), 0);
        if (size < 0) {
            return std::nullopt;
        }
        buffer.resize(static_cast<std::size_t>(size));
        return buffer;
    }

    // Every datagram already waiting.
    std::vector<std::string> drain() const {
        std::vector<std::string> messages;
        while (auto message = receive(0ms)) {
            messages.push_back(*message);
        }
        return messages;
    }

  private:
    std::string name_;
    int socket_ = -1;
};

std::uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
           static_cast<std::uint64_t>(now.tv_nsec) / 1000;
}

std::string unique_abstract_name() {
    static std::atomic<int> counter{0};
    return "@polylogue-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// Each test decides the whole environment systemd would give, whatever the test runner has.
class ServiceNotify : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) {
            env_.unset(name);
        }
    }

    test::scoped_env env_;
    test::temp_dir dir_;
};

TEST_F(ServiceNotify, SendsEachStateToASocketAtAPath) {
    const fake_systemd systemd{(dir_ / "notify.sock").string()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    service_notify notify{nullptr};
    ASSERT_TRUE(notify.enabled());

    notify.ready();
    EXPECT_EQ(systemd.receive(), "READY=1");
    notify.status("3 rooms running");
    EXPECT_EQ(systemd.receive(), "STATUS=3 rooms running");
    const std::uint64_t before = monotonic_usec();
    notify.reloading();
    const std::uint64_t after = monotonic_usec();
    const std::optional<std::string> reloading = systemd.receive();
    ASSERT_TRUE(reloading.has_value());
    const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
    ASSERT_TRUE(reloading->starts_with(prefix)) << *reloading;
    const std::uint64_t stamp = std::stoull(reloading->substr(prefix.size()));
    EXPECT_GE(stamp, before);
    EXPECT_LE(stamp, after);
    notify.watchdog();
    EXPECT_EQ(systemd.receive(), "WATCHDOG=1");
    notify.stopping();
    EXPECT_EQ(systemd.receive(), "STOPPING=1");
}

TEST_F(ServiceNotify, ReachesAnAbstractSocketNamedWithAnAt) {
    const fake_systemd systemd{unique_abstract_name()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    service_notify notify{nullptr};
    ASSERT_TRUE(notify.enabled());
    notify.ready();
    EXPECT_EQ(systemd.receive(), "READY=1");
}

TEST_F(ServiceNotify, AStatusCannotSmuggleAnotherAssignment) {
    const fake_systemd systemd{unique_abstract_name()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    service_notify notify{nullptr};
    notify.status("room a\nREADY=1\r\n");
    EXPECT_EQ(systemd.receive(), "STATUS=room a READY=1  ");
}

TEST_F(ServiceNotify, OutsideSystemdEveryCallDoesNothing) {
    env_.set("WATCHDOG_USEC", "1000000");
    service_notify notify{nullptr};
    EXPECT_FALSE(notify.enabled());
    EXPECT_FALSE(notify.send("READY=1"));
    notify.ready();
    notify.stopping();
    EXPECT_FALSE(notify.watchdog_interval().has_value());
}

TEST_F(ServiceNotify, UnusableAddressesTurnNotificationsOff) {
    const std::vector<std::string> addresses{"relative/notify.sock", "vsock:2:1234",
                                             "/" + std::string(200, 'x')};
    for (const std::string& address : addresses) {
        SCOPED_TRACE(address);
        env_.set("NOTIFY_SOCKET", address);
        service_notify notify{nullptr};
        EXPECT_FALSE(notify.enabled());
    }
}

TEST_F(ServiceNotify, ASocketThatIsGoneIsIgnoredAndLoggedOnce) {
    env_.set("NOTIFY_SOCKET", (dir_ / "nobody-listens.sock").string());
    std::ostringstream said;
    auto log = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(said));
    log->set_pattern("%l %v");
    service_notify notify{log};
    ASSERT_TRUE(notify.enabled());
    EXPECT_FALSE(notify.send("READY=1"));
    notify.ready();
    EXPECT_FALSE(notify.send("STOPPING=1"));
    EXPECT_EQ(said.str(),
              "warning cannot notify systemd through NOTIFY_SOCKET: No such file or directory "
              "(further failures are not logged)\n");
}

TEST_F(ServiceNotify, TheWatchdogIntervalIsHalfThePeriodForThisProcessOnly) {
    const fake_systemd systemd{unique_abstract_name()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    env_.set("WATCHDOG_USEC", "60000000");
    EXPECT_EQ(service_notify{nullptr}.watchdog_interval(), std::chrono::microseconds{30'000'000});
    env_.set("WATCHDOG_PID", std::to_string(::getpid()));
    EXPECT_EQ(service_notify{nullptr}.watchdog_interval(), std::chrono::microseconds{30'000'000});
    // The watchdog of another process (our parent, here) is not ours to feed.
    env_.set("WATCHDOG_PID", std::to_string(::getppid()));
    EXPECT_FALSE(service_notify{nullptr}.watchdog_interval().has_value());
    env_.set("WATCHDOG_PID", "not-a-pid");
    EXPECT_FALSE(service_notify{nullptr}.watchdog_interval().has_value());
    env_.unset("WATCHDOG_PID");
    for (const char* bad : {"0", "", "-5", "1.5", "99999999999999999999", "60s"}) {
        SCOPED_TRACE(bad);
        env_.set("WATCHDOG_USEC", bad);
        EXPECT_FALSE(service_notify{nullptr}.watchdog_interval().has_value());
    }
}

asio::awaitable<void> stop_after(service_notify* notify, std::chrono::milliseconds delay) {
    asio::steady_timer timer{co_await asio::this_coro::executor, delay};
    co_await timer.async_wait(asio::use_awaitable);
    notify->stop_watchdog();
}

TEST_F(ServiceNotify, TheWatchdogPingsAtItsIntervalUntilStopped) {
    const fake_systemd systemd{unique_abstract_name()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    env_.set("WATCHDOG_USEC", "80000");  // pings every 40 ms
    // The loop outlives the notifier, as in the daemon: its watchdog timer belongs to the loop
    // (the other order was a use-after-free that ASan reported).
    asio::io_context loop;
    service_notify notify{nullptr};
    ASSERT_EQ(notify.watchdog_interval(), std::chrono::microseconds{40'000});
    asio::co_spawn(loop, notify.run_watchdog(), asio::detached);
    asio::co_spawn(loop, stop_after(&notify, 300ms), asio::detached);
    const auto start = std::chrono::steady_clock::now();
    test::run_with_limit(loop, 5s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    const std::vector<std::string> pings = systemd.drain();
    // 300 ms / 40 ms is 7; a loaded machine may manage fewer, never more.
    EXPECT_GE(pings.size(), 3u);
    EXPECT_LE(pings.size(), 7u);
    for (const std::string& ping : pings) {
        EXPECT_EQ(ping, "WATCHDOG=1");
    }
}

TEST_F(ServiceNotify, AWatchdogStoppedBeforeItStartsEndsAtOnce) {
    const fake_systemd systemd{unique_abstract_name()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    env_.set("WATCHDOG_USEC", "10000000");
    service_notify notify{nullptr};
    asio::io_context loop;
    asio::co_spawn(loop, notify.run_watchdog(), asio::detached);
    notify.stop_watchdog();
    test::run_with_limit(loop, 1s);
    EXPECT_TRUE(systemd.drain().empty());
}

TEST_F(ServiceNotify, WithoutAWatchdogTheCoroutineEndsAtOnce) {
    const fake_systemd systemd{unique_abstract_name()};
    env_.set("NOTIFY_SOCKET", systemd.name());
    service_notify notify{nullptr};
    asio::io_context loop;
    asio::co_spawn(loop, notify.run_watchdog(), asio::detached);
    test::run_with_limit(loop, 1s);
    EXPECT_TRUE(systemd.drain().empty());
}

}  // namespace
}  // namespace polylogue::app

#include "serve_fixture.hpp"

namespace polylogue::app {
namespace {

bool contains_line(const std::vector<std::string>& messages, const std::string& wanted) {
    for (const auto& m : messages) {
        if (m.find(wanted) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> collect(const fake_systemd& systemd, const std::string& until,
                                 std::chrono::milliseconds limit) {
    std::vector<std::string> messages;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && !contains_line(messages, until)) {
        if (auto m = systemd.receive(100ms)) {
            messages.push_back(*m);
        }
    }
    return messages;
}

TEST(ServeNotifiesSystemd, ReadyOnceServingReloadingOnSighupAndStoppingOnSigterm) {
    test::temp_dir dir;
    const fake_systemd systemd{(dir.path() / "notify.sock").string()};
    test::scoped_env env;
    env.set("NOTIFY_SOCKET", systemd.name());
    env.set("WATCHDOG_USEC", "400000");
    env.unset("WATCHDOG_PID");
    test::serve_process serve{dir, test::room_entry("alpha", 400, "100ms")};
    ASSERT_NE(serve.port(), 0);
    const auto started = collect(systemd, "READY=1", 10s);
    EXPECT_TRUE(contains_line(started, "READY=1"));
    EXPECT_TRUE(contains_line(collect(systemd, "WATCHDOG=1", 3s), "WATCHDOG=1"));
    serve.signal(SIGHUP);
    const auto reloaded = collect(systemd, "READY=1", 10s);
    EXPECT_TRUE(contains_line(reloaded, "RELOADING=1"));
    EXPECT_TRUE(contains_line(reloaded, "READY=1"));
    serve.signal(SIGTERM);
    EXPECT_TRUE(contains_line(collect(systemd, "STOPPING=1", 10s), "STOPPING=1"));
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

}  // namespace
}  // namespace polylogue::app
