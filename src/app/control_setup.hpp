#pragma once
// Starting the control API of `serve`: the bearer token from its variable or file, the server
// listening, and data_dir/serve.json telling `polylogue rooms` and `tail` where it listens.

#include <boost/asio/any_io_executor.hpp>

#include <spdlog/logger.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/http/server.hpp"

namespace polylogue::app {

struct control_parts {
    control::room_directory* rooms = nullptr;
    control::event_hub* events = nullptr;
    const control::metrics* counters = nullptr;
    std::function<control::metric_gauges()> gauges;
};

struct started_control {
    std::unique_ptr<control::control_api> api;
    std::unique_ptr<http::server> server;  // listening; run() is spawned on the executor
};

// nullopt after logging why (no token where one is needed, the address is taken...).
std::optional<started_control> start_control(boost::asio::any_io_executor executor,
                                             const config::config& cfg, control_parts parts,
                                             std::shared_ptr<spdlog::logger> log);

// data_dir/serve.json while it lives: {"pid": ..., "listen": "HOST:PORT"}.
class serve_file {
  public:
    serve_file(const config::config& cfg, std::uint16_t port, const std::string& listen);
    serve_file(const serve_file&) = delete;
    serve_file& operator=(const serve_file&) = delete;
    ~serve_file();

  private:
    std::filesystem::path file_;
};

inline std::filesystem::path serve_file_path(const config::config& cfg) {
    return cfg.data_dir / "serve.json";
}

// "HOST:PORT" with the port replaced (for a config that asked for port 0).
std::string with_port(const std::string& listen, std::uint16_t port);

// Whether the listen host is a loopback address (127.0.0.0/8 or ::1).
bool is_loopback_listen(const std::string& listen);

}  // namespace polylogue::app
