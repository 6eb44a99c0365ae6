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
    control::room_feed* feed = nullptr;
    const control::metrics* counters = nullptr;
    std::function<control::metric_gauges()> gauges;
    http::client* forward_client = nullptr;  // a fleet: requests for other nodes' rooms
};

struct started_control {
    std::unique_ptr<control::control_api> api;
    std::unique_ptr<http::server> server;  // listening; run() is spawned on the executor
};

// The token a control section names: its variable's value or its file's first line, without
// the whitespace around it (a header could not carry it). token is nullopt when the section asks
// for none; problem says why a named token cannot be had (unset, unreadable, blank).
struct token_reading {
    std::optional<std::string> token;
    std::string problem;
};
token_reading read_token(const config::control_settings& control);

// Off loopback a token must be at least this long; on loopback a shorter one gets a warning.
inline constexpr std::size_t min_token_bytes = 16;

// The API's access under control, for an API listening on listen (which a reload cannot move):
// its token, checked for length, and its allowed hosts; or why it cannot be had. A short token
// on loopback is accepted with a warning in warning.
struct access_reading {
    control::api_access access;
    std::string problem;
    std::string warning;
};
access_reading read_access(const config::control_settings& control, const std::string& listen);

// nullopt after logging why (no token where one is needed, the address is taken...).
std::optional<started_control> start_control(boost::asio::any_io_executor executor,
                                             const config::config& cfg, control_parts parts,
                                             std::shared_ptr<spdlog::logger> log);

// data_dir/serve.json while it lives: {"pid": ..., "listen": "HOST:PORT"}.
class serve_file {
  public:
    serve_file(const config::config& cfg, std::uint16_t port, const std::string& listen);
    // A fleet node's own file, under data_dir/nodes/NAME.
    serve_file(std::filesystem::path file, std::uint16_t port, const std::string& listen);
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
