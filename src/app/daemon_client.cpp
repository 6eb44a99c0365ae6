#include "daemon_client.hpp"

#include <boost/asio/co_spawn.hpp>

#include <nlohmann/json.hpp>

#include <signal.h>

#include <algorithm>
#include <fstream>

#include "commands.hpp"
#include "control_setup.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::app {

namespace asio = boost::asio;

// The running daemon of this config, or nullopt when serve.json is missing or stale.
namespace {

std::optional<daemon_address> daemon_of(const config::config& cfg,
                                        const std::filesystem::path& serve_json) {
    std::ifstream in{serve_json};
    const auto info = nlohmann::json::parse(in, nullptr, false);
    if (!info.is_object() || !info.contains("pid") || !info.contains("listen") ||
        !info["pid"].is_number_integer() || !info["listen"].is_string()) {
        return std::nullopt;
    }
    if (::kill(info["pid"].get<pid_t>(), 0) != 0) {
        return std::nullopt;
    }
    // The token as serve reads it; one that cannot be had is sent as none, and the daemon's 401
    // says so.
    return daemon_address{"http://" + info["listen"].get<std::string>(),
                          read_token(cfg.control).token.value_or(""), serve_json};
}

}  // namespace

std::optional<daemon_address> find_daemon(const config::config& cfg) {
    if (cfg.store.kind != config::store_kind::postgres) {
        return daemon_of(cfg, serve_file_path(cfg));
    }
    std::error_code ec;
    std::vector<std::filesystem::path> nodes;
    for (const auto& entry : std::filesystem::directory_iterator(cfg.data_dir / "nodes", ec)) {
        nodes.push_back(entry.path() / "serve.json");
    }
    std::sort(nodes.begin(), nodes.end());
    for (const auto& serve_json : nodes) {
        if (auto daemon = daemon_of(cfg, serve_json)) {
            return daemon;
        }
    }
    return std::nullopt;
}

http::request api_request(const daemon_address& daemon, std::string path) {
    http::request req;
    req.method = "GET";
    req.url = daemon.base_url + std::move(path);
    if (!daemon.token.empty()) {
        req.headers.emplace_back("authorization", "Bearer " + daemon.token);
    }
    return req;
}

int run_on_loop(asio::io_context& loop, asio::awaitable<int> work) {
    int code = exit_failure;
    asio::co_spawn(loop, std::move(work), [&code](std::exception_ptr error, int result) {
        code = error ? exit_failure : result;
    });
    loop.run();
    return code;
}

std::optional<config::config> load_or_report(const std::string& config_path) {
    auto loaded = config::load_config(config_path);
    if (!loaded) {
        print_problems(loaded.error());
        return std::nullopt;
    }
    return std::move(*loaded);
}

}  // namespace polylogue::app
