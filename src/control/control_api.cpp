#include "polylogue/control/control_api.hpp"

#include <openssl/crypto.h>

#include <exception>

#include "control/answers.hpp"
#include "control/viewer_page.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

struct control_api::route {
    std::string_view method;
    std::string_view pattern;  // "/"-separated segments; "{}" captures one
    route_handler handler;
    bool is_public = false;  // answered without the token
};

const std::vector<control_api::route>& control_api::routes() {
    static const std::vector<route> table{
        {"GET", "/healthz", &control_api::health, true},
        {"GET", "/metrics", &control_api::scrape},
        {"GET", "/", &control_api::viewer},
        {"GET", "/v1/rooms", &control_api::list_rooms},
        {"POST", "/v1/rooms", &control_api::create_room},
        {"GET", "/v1/rooms/{}", &control_api::show_room},
        {"GET", "/v1/rooms/{}/transcript", &control_api::transcript},
        {"GET", "/v1/rooms/{}/events", &control_api::events},
        {"GET", "/v1/rooms/{}/images/{}", &control_api::image},
        {"POST", "/v1/rooms/{}/messages", &control_api::interject},
        {"POST", "/v1/rooms/{}/pause", &control_api::pause},
        {"POST", "/v1/rooms/{}/resume", &control_api::resume},
        {"POST", "/v1/rooms/{}/stop", &control_api::stop},
    };
    return table;
}

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        const auto slash = path.find('/');
        if (slash != 0) {
            parts.push_back(path.substr(0, slash));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return parts;
}

// The route's captures when path matches pattern; nullopt otherwise or on a bad escape.
std::optional<std::vector<std::string>> match_path(std::string_view pattern,
                                                   std::string_view path) {
    const auto wanted = segments(pattern);
    const auto given = segments(path);
    if (wanted.size() != given.size()) {
        return std::nullopt;
    }
    std::vector<std::string> captures;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (wanted[i] == "{}") {
            auto decoded = url_decode(given[i], false);
            if (!decoded || decoded->empty()) {
                return std::nullopt;
            }
            captures.push_back(std::move(*decoded));
        } else if (wanted[i] != given[i]) {
            return std::nullopt;
        }
    }
    return captures;
}

std::map<std::string, std::string, std::less<>> parse_query(std::string_view query) {
    std::map<std::string, std::string, std::less<>> values;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        auto key = url_decode(pair.substr(0, eq), true);
        auto value = url_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
        if (key && value && !key->empty()) {
            values.emplace(std::move(*key), std::move(*value));
        }
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return values;
}

bool same_secret(std::string_view given, std::string_view expected) {
    return given.size() == expected.size() &&
           CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

control_api::control_api(api_services services) : services_{std::move(services)} {}

asio::awaitable<http::server_response> control_api::handle(http::server_request request) {
    // Containment: a bug in one handler answers 500 and leaves the daemon running.
    std::string failure;
    try {
        co_return co_await dispatch(std::move(request));
    } catch (const std::exception& e) {
        failure = e.what();
    }
    services_.log->error("control API: internal error: {}", failure);
    co_return error_answer(500, "internal", "internal error; see the daemon log");
}

bool control_api::authorized(const http::server_request& request, const route_match& match) const {
    if (!services_.token) {
        return true;
    }
    std::string_view header = request.header("authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() > scheme.size() && header.substr(0, scheme.size()) == scheme) {
        return same_secret(header.substr(scheme.size()), *services_.token);
    }
    const auto query_token = match.query.find("access_token");
    return query_token != match.query.end() && same_secret(query_token->second, *services_.token);
}

asio::awaitable<http::server_response> control_api::dispatch(http::server_request request) {
    const std::string_view target = request.target;
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    route_match match;
    if (question != std::string_view::npos) {
        match.query = parse_query(target.substr(question + 1));
    }
    std::string allowed;
    for (const route& r : routes()) {
        auto captures = match_path(r.pattern, path);
        if (!captures) {
            continue;
        }
        if (r.method != request.method) {
            allowed += (allowed.empty() ? "" : ", ") + std::string{r.method};
            continue;
        }
        if (!r.is_public && !authorized(request, match)) {
            auto answer =
                path == "/"
                    ? text_answer(401, "text/html; charset=utf-8", std::string{token_form_page()})
                    : error_answer(401, "unauthorized", "a valid bearer token is required");
            answer.headers.emplace_back("www-authenticate", "Bearer realm=\"polylogue\"");
            co_return answer;
        }
        match.params = std::move(*captures);
        co_return co_await (this->*r.handler)(std::move(request), std::move(match));
    }
    if (!allowed.empty()) {
        auto answer = error_answer(405, "method_not_allowed",
                                   std::string{request.method} + " is not allowed here");
        answer.headers.emplace_back("allow", allowed);
        co_return answer;
    }
    co_return error_answer(404, "not_found", "no such route");
}

asio::awaitable<http::server_response> control_api::health(http::server_request, route_match) {
    co_return json_answer(200, {{"status", "ok"}});
}

asio::awaitable<http::server_response> control_api::scrape(http::server_request, route_match) {
    const metric_gauges gauges = services_.gauges ? services_.gauges() : metric_gauges{};
    co_return text_answer(200, "text/plain; version=0.0.4; charset=utf-8",
                          services_.counters->render(gauges));
}

asio::awaitable<http::server_response> control_api::viewer(http::server_request, route_match) {
    auto answer = text_answer(200, "text/html; charset=utf-8", std::string{viewer_page()});
    answer.headers.emplace_back("content-security-policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' "
                                "'unsafe-inline'; script-src 'self' 'unsafe-inline'");
    answer.headers.emplace_back("x-content-type-options", "nosniff");
    co_return answer;
}

}  // namespace polylogue::control
