#include "control_setup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace polylogue::app {

namespace {

// The token, or nullopt after logging why it cannot be had. An empty optional inside means
// the config asks for no token.
std::optional<std::optional<std::string>> resolve_token(const config::control_settings& control,
                                                        spdlog::logger& log) {
    std::string token;
    if (!control.token_env.empty()) {
        const char* value = std::getenv(control.token_env.c_str());
        token = value ? value : "";
        if (token.empty()) {
            log.error("control API: the environment variable {} (control.token_env) is not set",
                      control.token_env);
            return std::nullopt;
        }
    } else if (!control.token_file.empty()) {
        std::ifstream in{control.token_file};
        std::getline(in, token);
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) {
            token.pop_back();
        }
        if (token.empty()) {
            log.error("control API: cannot read a token from {} (control.token_file)",
                      control.token_file.string());
            return std::nullopt;
        }
    } else if (!is_loopback_listen(control.listen)) {
        log.error("control API: refusing to listen on {} without a token", control.listen);
        return std::nullopt;
    } else {
        return std::optional<std::string>{};
    }
    return std::optional<std::string>{std::move(token)};
}

}  // namespace

std::string with_port(const std::string& listen, std::uint16_t port) {
    const auto colon = listen.rfind(':');
    return listen.substr(0, colon) + ":" + std::to_string(port);
}

bool is_loopback_listen(const std::string& listen) {
    const std::string host = listen.substr(0, listen.rfind(':'));
    return host.starts_with("127.") || host == "[::1]" || host == "localhost";
}

std::optional<started_control> start_control(boost::asio::any_io_executor executor,
                                             const config::config& cfg, control_parts parts,
                                             std::shared_ptr<spdlog::logger> log) {
    auto token = resolve_token(cfg.control, *log);
    if (!token) {
        return std::nullopt;
    }
    control::api_services services{
        parts.rooms, parts.events, parts.counters, std::move(parts.gauges), std::move(*token), log};
    started_control started;
    started.api = std::make_unique<control::control_api>(std::move(services));
    http::server_settings settings;
    settings.body_limit = cfg.control.max_body_bytes;
    settings.header_limit = cfg.control.max_header_bytes;
    auto server = http::server::listen(executor, cfg.control.listen, settings, *started.api);
    if (!server) {
        log->error("control API: cannot listen on {}: {}", cfg.control.listen,
                   server.error().message());
        return std::nullopt;
    }
    started.server = std::move(*server);
    started.server->on_error = [log](std::string_view what) {
        log->debug("control API connection: {}", what);
    };
    started.server->on_accept_failure = [log](std::string_view what, std::uint64_t failures) {
        log->warn(
            "control API cannot accept connections: {} ({} time(s) in a row; retrying "
            "every 100 ms)",
            what, failures);
    };
    started.server->on_full = [log,
                               limit = settings.max_connections](const http::server_stats& stats) {
        log->warn(
            "control API full ({} connections): {} idle connection(s) evicted and {} refused "
            "so far (told at most once a minute)",
            limit, stats.connections_evicted, stats.connections_refused);
    };
    boost::asio::co_spawn(executor, started.server->run(), boost::asio::detached);
    log->info("control API listening on {}", with_port(cfg.control.listen, started.server->port()));
    return started;
}

serve_file::serve_file(const config::config& cfg, std::uint16_t port, const std::string& listen)
    : file_{serve_file_path(cfg)} {
    const nlohmann::json content{{"pid", ::getpid()}, {"listen", with_port(listen, port)}};
    const auto temporary = file_.string() + ".tmp";
    {
        std::ofstream out{temporary, std::ios::trunc};
        out << content.dump() << "\n";
    }
    std::filesystem::rename(temporary, file_);
}

serve_file::~serve_file() {
    std::error_code ignored;
    std::filesystem::remove(file_, ignored);
}

}  // namespace polylogue::app
