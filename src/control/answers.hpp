#pragma once
// Building the API's answers: JSON bodies and JSON errors.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "polylogue/core/error.hpp"
#include "polylogue/http/server.hpp"

namespace polylogue::control {

http::server_response json_answer(int status, const nlohmann::json& body);
http::server_response error_answer(int status, std::string_view code, std::string_view message);
http::server_response text_answer(int status, std::string content_type, std::string body);

// The answer for a room request the room refused (ended, shutting down, storage).
// A fleet's rooms come from the configuration every node reads: none is created or forked
// over the API (docs/deploy.md, "A fleet"). what: "created" or "forked".
http::server_response fleet_refusal(std::string_view what);
http::server_response refused_answer(const boost::system::error_code& error);

// Decodes %XX and (in queries) '+'; nullopt for a malformed escape or a NUL.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space);

}  // namespace polylogue::control
