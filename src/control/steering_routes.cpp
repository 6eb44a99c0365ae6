// The routes that change a room: a human's message, the next speaker, pause, resume, stop.
// Each waits until the room has made the change durable and answers with what it became.

#include "control/answers.hpp"
#include "polylogue/config/human_name.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_view.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

namespace {

constexpr std::size_t max_message_bytes = 32 * 1024;

// The configuration's rule for an opening's speaker, worded for the API.
std::string speaker_problem(const std::string& speaker) {
    switch (config::check_human_name(speaker)) {
        case config::human_name_verdict::ok:
            return {};
        case config::human_name_verdict::malformed:
            return "speaker is 1 to 64 characters, without control characters or spaces at "
                   "either end";
        case config::human_name_verdict::ai_slot:
            return "speaker may not look like an AI slot (AI-n)";
        case config::human_name_verdict::reserved:
            return "speaker may not be Polylogue, the name of the room's own notices";
    }
    return "speaker is refused";
}

// Why a message body is refused, or empty when it is fine.
std::string message_problem(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("speaker") || !body.contains("text") ||
        !body["speaker"].is_string() || !body["text"].is_string()) {
        return "the body is {\"speaker\": \"name\", \"text\": \"...\"}";
    }
    const auto& speaker = body["speaker"].get_ref<const std::string&>();
    const auto& text = body["text"].get_ref<const std::string&>();
    if (text.empty() || text.size() > max_message_bytes) {
        return "text is 1 to 32768 bytes";
    }
    if (core::sanitize_utf8(text) != text || core::sanitize_utf8(speaker) != speaker) {
        return "speaker and text are UTF-8";
    }
    return speaker_problem(speaker);
}

// Why a next-speaker body is refused, or empty when it is fine.
std::string next_speaker_problem(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("speaker") || !body["speaker"].is_string() ||
        (body.contains("by") && !body["by"].is_string())) {
        return "the body is {\"speaker\": \"AI-n\"} with an optional \"by\": \"name\"";
    }
    const auto& speaker = body["speaker"].get_ref<const std::string&>();
    if (speaker.size() > 16 || core::slot_label(core::slot_from_label(speaker)) != speaker) {
        return "speaker is an AI's label, such as AI-2";
    }
    if (body.contains("by")) {
        const auto& by = body["by"].get_ref<const std::string&>();
        if (core::sanitize_utf8(by) != by) {
            return "by is UTF-8";
        }
        if (std::string problem = speaker_problem(by); !problem.empty()) {
            return "by" + problem.substr(std::string_view{"speaker"}.size());
        }
    }
    return {};
}

}  // namespace

asio::awaitable<http::server_response> control_api::choose_next(http::server_request request,
                                                                route_match match) {
    room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return error_answer(404, "not_found", "no room named '" + match.params.at(0) + "'");
    }
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (const std::string problem = next_speaker_problem(body); !problem.empty()) {
        co_return error_answer(400, "invalid_next_speaker", problem);
    }
    const auto speaker = body["speaker"].get<std::string>();
    const std::string by = body.contains("by") ? body["by"].get<std::string>() : request.remote;
    const auto seq = co_await room->choose_next(speaker, by);
    if (!seq && seq.error() == errc::not_found) {
        co_return error_answer(422, "unknown_member", "no AI of the room is " + speaker);
    }
    if (!seq && seq.error() == errc::conflict) {
        co_return error_answer(409, "cannot_speak",
                               speaker + " cannot speak now (out of replies, suspended or muted)");
    }
    if (!seq) {
        co_return refused_answer(seq.error());
    }
    co_return json_answer(201, {{"seq", *seq}, {"speaker", speaker}});
}

asio::awaitable<http::server_response> control_api::interject(http::server_request request,
                                                              route_match match) {
    room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return error_answer(404, "not_found", "no room named '" + match.params.at(0) + "'");
    }
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (const std::string problem = message_problem(body); !problem.empty()) {
        co_return error_answer(400, "invalid_message", problem);
    }
    const auto seq = co_await room->interject(body["speaker"].get<std::string>(),
                                              body["text"].get<std::string>());
    if (!seq) {
        co_return refused_answer(seq.error());
    }
    co_return json_answer(201, {{"seq", *seq}});
}

asio::awaitable<http::server_response> control_api::pause(http::server_request request,
                                                          route_match match) {
    co_return co_await steer(steering::pause, std::move(request), std::move(match));
}

asio::awaitable<http::server_response> control_api::resume(http::server_request request,
                                                           route_match match) {
    co_return co_await steer(steering::resume, std::move(request), std::move(match));
}

asio::awaitable<http::server_response> control_api::stop(http::server_request request,
                                                         route_match match) {
    co_return co_await steer(steering::end, std::move(request), std::move(match));
}

asio::awaitable<http::server_response> control_api::steer(steering action,
                                                          http::server_request request,
                                                          route_match match) {
    room::room_handle* room = services_.rooms->find(match.params.at(0));
    if (room == nullptr) {
        co_return error_answer(404, "not_found", "no room named '" + match.params.at(0) + "'");
    }
    const std::string by = "the control API (" + request.remote + ")";
    result<std::int64_t> done{errc::invalid_argument};
    if (action == steering::pause) {
        done = co_await room->pause(by);
    } else if (action == steering::resume) {
        done = co_await room->resume(by);
    } else {
        done = co_await room->end("stopped through " + by);
    }
    if (!done) {
        co_return refused_answer(done.error());
    }
    co_return json_answer(200, room_summary(*room));
}

}  // namespace polylogue::control
