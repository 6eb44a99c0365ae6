// A real `polylogue serve` under a flood of idle connections (no token needed to open them):
// more than its 512 slots, and still /healthz answers at once.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "serve_fixture.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr int idle_sockets = 600;  // the server keeps 512

// Connected sockets that never send a byte, closed when the flood goes.
class idle_flood {
  public:
    idle_flood(std::uint16_t port, int count) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = 0; i < count; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                break;
            }
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
                ::close(fd);
                break;
            }
            fds_.push_back(fd);
        }
    }
    idle_flood(const idle_flood&) = delete;
    idle_flood& operator=(const idle_flood&) = delete;
    ~idle_flood() {
        for (const int fd : fds_) {
            ::close(fd);
        }
    }

    std::size_t size() const noexcept { return fds_.size(); }

  private:
    std::vector<int> fds_;
};

// The first 200 from /healthz, tried until limit; how long it took, or nullopt.
std::optional<std::chrono::milliseconds> time_to_health(const test::api_client& api,
                                                        std::chrono::milliseconds limit) {
    const auto began = steady_clock::now();
    while (steady_clock::now() - began < limit) {
        try {
            if (api.get("/healthz").status == 200) {
                return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() -
                                                                             began);
            }
        } catch (const std::exception&) {
            // refused or reset: try again
        }
        std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
}

std::uint64_t metric(const std::string& text, const std::string& name) {
    std::istringstream lines{text};
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(name + " ")) {
            return std::stoull(line.substr(name.size() + 1));
        }
    }
    return 0;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in{path};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

TEST(ConnectionFlood, SixHundredIdleSocketsDoNotLockHealthzOut) {
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("lobby", 4, "0s")};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();
    idle_flood flood{serve.port(), idle_sockets};
    ASSERT_EQ(flood.size(), static_cast<std::size_t>(idle_sockets));
    // Queued behind the flood: accepted once every idle socket has been.
    const auto healthy = time_to_health(api, 2s);
    ASSERT_TRUE(healthy) << "/healthz did not answer within 2 s of " << idle_sockets
                         << " idle sockets";
    EXPECT_LT(*healthy, 1s);
    std::uint64_t evicted = 0;
    std::string metrics;
    for (int i = 0; i < 100 && evicted < idle_sockets - 512; ++i) {
        metrics = api.get("/metrics").body;
        evicted = metric(metrics, "polylogue_http_connections_evicted_total");
    }
    EXPECT_GE(evicted, static_cast<std::uint64_t>(idle_sockets - 512)) << metrics;
    EXPECT_EQ(metric(metrics, "polylogue_http_connections_refused_total"), 0u);
    std::cout << "[ flood    ] " << idle_sockets << " idle sockets; /healthz answered "
              << healthy->count() << " ms after the last one connected; " << evicted
              << " evicted\n";
    serve.signal(SIGTERM);
    const auto ended = serve.wait(20s);
    EXPECT_EQ(ended.exit_code, 0) << ended.err.substr(0, 2000);
    const auto log = read_file(dir / "var" / "logs" / "polylogue.log");
    EXPECT_NE(log.find("control API full (512 connections)"), std::string::npos);
}

}  // namespace
}  // namespace polylogue
