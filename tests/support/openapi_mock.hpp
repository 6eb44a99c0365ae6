#pragma once
// Steady (npm @stdy/cli), a mock server that validates requests against an OpenAPI file, run
// on a free loopback port, and a tiny blocking HTTP/1.1 client to talk to it. Kept apart from
// the product's HTTP client on purpose: the check must not share the code it checks.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"

namespace polylogue::test {

using http_headers = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    int status = 0;
    http_headers headers;  // names lower-case
    std::string body;      // de-chunked

    // The first header of that (lower-case) name, or "" when absent.
    std::string header(std::string_view name) const;
};

// POST target to 127.0.0.1:port with Connection: close, then read the whole response.
// Throws std::runtime_error on a socket error, a timeout or an unparsable response.
http_response http_post(std::uint16_t port, const std::string& target, const http_headers& headers,
                        const std::string& body,
                        std::chrono::milliseconds timeout = std::chrono::seconds{30});

// A port the kernel just handed out on 127.0.0.1 (bound, then released).
std::uint16_t free_loopback_port();

// steady as installed by `npm ci --prefix tests/openapi`: the platform's native binary when
// present (so that stopping it stops the server), else npm's node wrapper; nullopt if absent.
std::optional<std::filesystem::path> find_steady(const std::filesystem::path& openapi_dir);

class steady_server {
  public:
    // Starts steady on spec and waits until it says it is ready; throws std::runtime_error
    // with steady's own output when it exits or does not get ready in time.
    steady_server(const std::filesystem::path& steady, const std::filesystem::path& spec);
    steady_server(const steady_server&) = delete;
    steady_server& operator=(const steady_server&) = delete;
    ~steady_server();

    std::uint16_t port() const noexcept { return port_; }
    std::string output() const;

  private:
    bool start(const std::filesystem::path& steady, const std::filesystem::path& spec);
    void stop() noexcept;

    temp_dir dir_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace polylogue::test
