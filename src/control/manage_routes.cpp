// The routes that manage a room while it runs: its settings (PATCH), taking a member out, and
// archiving it (DELETE). Each waits until the room has made the change durable.

#include "control/answers.hpp"
#include "polylogue/config/human_name.hpp"
#include "polylogue/config/room_settings.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_view.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

namespace {

http::server_response no_room(std::string_view name) {
    return error_answer(404, "not_found", "no room named '" + std::string{name} + "'");
}

// 400 naming each problem with its key and place in the body.
http::server_response invalid_settings_answer(const config::refusal& invalid) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : invalid.problems) {
        problems.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
    }
    std::string message = invalid.problems.front().to_string();
    const std::size_t more = invalid.problems.size() - 1 + invalid.unlisted_problems;
    if (more > 0) {
        message += " " + config::more_problems_text(more);
    }
    return json_answer(400, {{"error",
                              {{"code", "invalid_settings"},
                               {"message", std::move(message)},
                               {"problems", std::move(problems)},
                               {"unlisted_problems", invalid.unlisted_problems}}}});
}

// Who asked: the body's {"by": NAME} when it names a human as an opening speaker would be
// named, else the control API and the caller's address.
std::optional<std::string> requester(const http::server_request& request) {
    const std::string fallback = "the control API (" + request.remote + ")";
    if (request.body.empty()) {
        return fallback;
    }
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object()) {
        return std::nullopt;
    }
    if (!body.contains("by")) {
        return fallback;
    }
    if (!body["by"].is_string()) {
        return std::nullopt;
    }
    const auto& by = body["by"].get_ref<const std::string&>();
    if (config::check_human_name(by) != config::human_name_verdict::ok ||
        core::sanitize_utf8(by) != by) {
        return std::nullopt;
    }
    return by;
}

http::server_response invalid_requester() {
    return error_answer(400, "invalid_body",
                        "the body is empty or {\"by\": NAME}, NAME a human's name of 1 to 64 "
                        "characters");
}

}  // namespace

asio::awaitable<http::server_response> control_api::patch_room(http::server_request request,
                                                               route_match match) {
    room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    if (request.body.size() > config::max_room_settings_bytes) {
        co_return error_answer(413, "body_too_large", "room settings are at most 16 KiB");
    }
    auto settings = config::validate_room_settings(request.body, room->room(), "body");
    if (!settings) {
        co_return invalid_settings_answer(settings.error());
    }
    const auto seq = co_await room->change_settings(std::move(*settings),
                                                    "the control API (" + request.remote + ")");
    if (!seq) {
        co_return refused_answer(seq.error());
    }
    co_return json_answer(200, room_summary(*room));
}

asio::awaitable<http::server_response> control_api::remove_member(http::server_request request,
                                                                  route_match match) {
    room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    const std::optional<std::string> by = requester(request);
    if (!by) {
        co_return invalid_requester();
    }
    const std::string& label = match.params.at(1);
    const int slot = core::slot_from_label(label);
    const room::member_state* member = room->state().member(slot);
    if (member == nullptr || member->left) {
        co_return error_answer(404, "no_member",
                               "no AI sits in slot '" + label + "' of room '" + room->room().name +
                                   "'" + (member != nullptr ? " any more: it has left" : ""));
    }
    const auto seq = co_await room->remove_member(slot, *by);
    if (!seq) {
        if (seq.error() == errc::not_found) {
            co_return error_answer(404, "no_member", label + " has left already");
        }
        co_return refused_answer(seq.error());
    }
    co_return json_answer(200, room_summary(*room));
}

asio::awaitable<http::server_response> control_api::archive_room(http::server_request request,
                                                                 route_match match) {
    room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return no_room(match.params.at(0));
    }
    const std::optional<std::string> by = requester(request);
    if (!by) {
        co_return invalid_requester();
    }
    if (room->state().archived) {
        co_return error_answer(409, "archived", "the room is archived already");
    }
    const auto seq = co_await room->archive(*by);
    if (!seq) {
        co_return refused_answer(seq.error());
    }
    co_return json_answer(200, room_summary(*room));
}

}  // namespace polylogue::control
