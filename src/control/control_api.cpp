#include "polylogue/control/control_api.hpp"

#include <openssl/crypto.h>

#include <exception>

#include "control/answers.hpp"
#include "control/request_checks.hpp"
#include "control/viewer_page.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

// What a route's body is, for the Content-Type it must come with. A type an HTML form can send
// (text/plain, form data) is refused everywhere, so no other site's page can post one.
enum class body_kind {
    none,          // no body; one sent anyway must be application/json
    json,          // application/json
    json_or_yaml,  // application/json, application/yaml (or its x- and text/ spellings)
};

struct control_api::route {
    std::string_view method;
    std::string_view pattern;  // "/"-separated segments; "{}" captures one
    route_handler handler;
    bool is_public = false;  // answered without the token, to any Host
    body_kind body = body_kind::none;
};

const std::vector<control_api::route>& control_api::routes() {
    static const std::vector<route> table{
        {"GET", "/healthz", &control_api::health, true},
        {"GET", "/metrics", &control_api::scrape},
        {"GET", "/", &control_api::viewer},
        {"GET", "/v1/rooms", &control_api::list_rooms},
        {"POST", "/v1/rooms", &control_api::create_room, false, body_kind::json_or_yaml},
        {"GET", "/v1/rooms/{}", &control_api::show_room},
        {"GET", "/v1/rooms/{}/transcript", &control_api::transcript},
        {"GET", "/v1/rooms/{}/events", &control_api::events},
        {"GET", "/v1/rooms/{}/images/{}", &control_api::image},
        {"POST", "/v1/rooms/{}/messages", &control_api::interject, false, body_kind::json},
        {"POST", "/v1/rooms/{}/next", &control_api::choose_next, false, body_kind::json},
        {"POST", "/v1/rooms/{}/pause", &control_api::pause},
        {"POST", "/v1/rooms/{}/resume", &control_api::resume},
        {"POST", "/v1/rooms/{}/stop", &control_api::stop},
        {"POST", "/v1/rooms/{}/fork", &control_api::fork, false, body_kind::json},
        {"PATCH", "/v1/rooms/{}", &control_api::patch_room, false, body_kind::json},
        {"DELETE", "/v1/rooms/{}", &control_api::archive_room},
        {"POST", "/v1/rooms/{}/members/{}/remove", &control_api::remove_member},
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

bool body_type_accepted(body_kind body, const http::server_request& request) {
    const std::string type = media_type(request.header("content-type"));
    switch (body) {
        case body_kind::none:
            return request.body.empty() || type == "application/json";
        case body_kind::json:
            return type == "application/json";
        case body_kind::json_or_yaml:
            return type == "application/json" || type == "application/yaml" ||
                   type == "application/x-yaml" || type == "text/yaml" || type == "text/x-yaml";
    }
    return false;
}

// What a refusal quotes of a header the client sent.
std::string quoted_value(std::string_view value) {
    return "'" + core::sanitize_utf8(core::utf8_prefix(value, 100)) + "'";
}

}  // namespace

control_api::control_api(api_services services)
    : services_{std::move(services)},
      hosts_{std::make_unique<host_rules>(
          rules_for(services_.listen, services_.access.allowed_hosts))} {}

control_api::~control_api() = default;

bool control_api::update_access(api_access access) {
    const bool token_changed = access.token != services_.access.token;
    services_.access = std::move(access);
    *hosts_ = rules_for(services_.listen, services_.access.allowed_hosts);
    return token_changed;
}

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
    const auto& token = services_.access.token;
    if (!token) {
        return true;
    }
    if (const auto given = bearer_credentials(request.header("authorization"))) {
        return same_secret(*given, *token);
    }
    const auto query_token = match.query.find("access_token");
    return query_token != match.query.end() && same_secret(query_token->second, *token);
}

std::optional<http::server_response> control_api::refusal(
    const route& r, const http::server_request& request) const {
    const std::string_view host = request.header("host");
    if (!r.is_public && !host_allowed(host, *hosts_)) {
        return error_answer(421, "unknown_host",
                            "this daemon does not answer to Host " + quoted_value(host) +
                                "; a name of yours goes in control.allowed_hosts");
    }
    if (r.method == "GET") {
        return std::nullopt;
    }
    const std::string_view origin = request.header("origin");
    if (!origin.empty() && !origin_allowed(origin, host, *hosts_)) {
        return error_answer(403, "foreign_origin",
                            "a page from Origin " + quoted_value(origin) +
                                " may not change rooms; only the daemon's own pages may");
    }
    if (!body_type_accepted(r.body, request)) {
        return error_answer(415, "unsupported_media_type",
                            r.body == body_kind::json_or_yaml
                                ? "send the body as application/json or application/yaml"
                                : "send the body as application/json");
    }
    return std::nullopt;
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
        if (auto refused = refusal(r, request)) {
            co_return std::move(*refused);
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
        if (r.method != "GET" && !match.params.empty()) {
            if (auto answer = co_await forwarded(request, match)) {
                co_return std::move(*answer);
            }
        }
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
