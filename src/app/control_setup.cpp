#include "control_setup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace polylogue::app {

namespace {

std::string without_surrounding_space(std::string text) {
    constexpr std::string_view space = " \t\r\n\v\f";
    const auto first = text.find_first_not_of(space);
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(space) - first + 1);
}

}  // namespace

token_reading read_token(const config::control_settings& control) {
    token_reading reading;
    if (!control.token_env.empty()) {
        const char* value = std::getenv(control.token_env.c_str());
        reading.token = without_surrounding_space(value ? value : "");
        if (reading.token->empty()) {
            reading.problem = std::string{"the environment variable "} + control.token_env +
                              " (control.token_env) is " +
                              (value == nullptr ? "not set" : "empty or only whitespace");
        }
    } else if (!control.token_file.empty()) {
        std::ifstream in{control.token_file};
        std::string line;
        const bool read = static_cast<bool>(std::getline(in, line));
        reading.token = without_surrounding_space(std::move(line));
        if (reading.token->empty()) {
            reading.problem = "cannot read a token from " + control.token_file.string() +
                              " (control.token_file): " +
                              (read ? "its first line is empty or only whitespace"
                                    : "it is missing, unreadable or empty");
        }
    }
    return reading;
}

access_reading read_access(const config::control_settings& control, const std::string& listen) {
    access_reading reading;
    reading.access.allowed_hosts = control.allowed_hosts;
    token_reading token = read_token(control);
    if (!token.problem.empty()) {
        reading.problem = std::move(token.problem);
        return reading;
    }
    const bool loopback = is_loopback_listen(listen);
    if (!token.token && !loopback) {
        reading.problem = "refusing to listen on " + listen + " without a token";
    } else if (token.token && token.token->size() < min_token_bytes) {
        const std::string why =
            "the token is shorter than " + std::to_string(min_token_bytes) + " bytes";
        if (loopback) {
            reading.warning = why + "; other local users could guess it";
        } else {
            reading.problem = why + ", too short beyond loopback (" + listen + ")";
        }
    }
    reading.access.token = std::move(token.token);
    return reading;
}

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
    access_reading access = read_access(cfg.control, cfg.control.listen);
    if (!access.problem.empty()) {
        log->error("control API: {}", access.problem);
        return std::nullopt;
    }
    if (!access.warning.empty()) {
        log->warn("control API: {}", access.warning);
    }
    control::api_services services{parts.rooms,
                                   parts.feed,
                                   parts.counters,
                                   std::move(parts.gauges),
                                   cfg.control.listen,
                                   std::move(access.access),
                                   log,
                                   parts.forward_client};
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
    : serve_file(serve_file_path(cfg), port, listen) {}

serve_file::serve_file(std::filesystem::path file, std::uint16_t port, const std::string& listen)
    : file_{std::move(file)} {
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
