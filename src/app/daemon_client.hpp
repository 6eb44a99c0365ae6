#pragma once
// What the commands that talk to a running daemon share: finding it (data_dir/serve.json), the
// requests they send it, and a loop to run them on.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/http/client.hpp"

namespace polylogue::app {

struct daemon_address {
    std::string base_url;              // http://127.0.0.1:7475
    std::string token;                 // empty: none asked
    std::filesystem::path serve_file;  // its serve.json: gone once the daemon stops
};

// The running daemon of this config, or nullopt when serve.json is missing or stale. In a
// fleet (store kind postgres), a live node of this machine (data_dir/nodes/*/serve.json):
// any node answers for every room.
std::optional<daemon_address> find_daemon(const config::config& cfg);

// A GET of path (from "/v1/...") with the daemon's token.
http::request api_request(const daemon_address& daemon, std::string path);

// Runs work to its end on loop; its result, or exit_failure when it threw.
int run_on_loop(boost::asio::io_context& loop, boost::asio::awaitable<int> work);

// The config at config_path, or nullopt after printing its problems.
std::optional<config::config> load_or_report(const std::string& config_path);

}  // namespace polylogue::app
