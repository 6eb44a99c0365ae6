#include "control/answers.hpp"

#include <optional>

namespace polylogue::control {

namespace {

constexpr auto json_replace = nlohmann::json::error_handler_t::replace;

int hex_value(char h) noexcept {
    if (h >= '0' && h <= '9') {
        return h - '0';
    }
    if (h >= 'a' && h <= 'f') {
        return h - 'a' + 10;
    }
    if (h >= 'A' && h <= 'F') {
        return h - 'A' + 10;
    }
    return -1;
}

}  // namespace

http::server_response json_answer(int status, const nlohmann::json& body) {
    http::server_response answer;
    answer.status = status;
    answer.headers.emplace_back("content-type", "application/json");
    answer.headers.emplace_back("cache-control", "no-store");
    answer.body = body.dump(-1, ' ', false, json_replace);
    answer.body += '\n';
    return answer;
}

http::server_response error_answer(int status, std::string_view code, std::string_view message) {
    http::server_response answer;
    answer.status = status;
    answer.headers.emplace_back("content-type", "application/json");
    answer.body = http::error_body(code, message);
    return answer;
}

http::server_response text_answer(int status, std::string content_type, std::string body) {
    http::server_response answer;
    answer.status = status;
    answer.headers.emplace_back("content-type", std::move(content_type));
    answer.body = std::move(body);
    return answer;
}

http::server_response refused_answer(const boost::system::error_code& error) {
    if (error == errc::room_closed || error == errc::cancelled) {
        return error_answer(409, "room_closed", "the room has ended or is not running");
    }
    return error_answer(500, "storage_failure", error.message());
}

std::optional<std::string> url_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && plus_is_space) {
            out += ' ';
        } else if (c != '%') {
            out += c;
        } else {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(high * 16 + low);
            i += 2;
        }
    }
    if (out.find('\0') != std::string::npos) {
        return std::nullopt;
    }
    return out;
}

http::server_response fleet_refusal(std::string_view what) {
    return error_answer(409, "fleet_rooms_from_config",
                        "in a fleet no room is " + std::string{what} +
                            " over the API: a room comes from the configuration every node "
                            "reads; add it there and reload the nodes (SIGHUP)");
}

}  // namespace polylogue::control
