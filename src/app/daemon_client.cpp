#include "daemon_client.hpp"

#include <boost/asio/co_spawn.hpp>

#include <nlohmann/json.hpp>

#include <signal.h>

#include <fstream>

#include "commands.hpp"
#include "control_setup.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::app {

namespace asio = boost::asio;

// The running daemon of this config, or nullopt when serve.json is missing or stale.
std::optional<daemon_address> find_daemon(const config::config& cfg) {
    std::ifstream in{serve_file_path(cfg)};
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
                          read_token(cfg.control).token.value_or("")};
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
