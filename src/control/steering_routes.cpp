// The routes that change a room: a human's message, pause, resume, stop. Each waits until the
// room has made the change durable and answers with what it became.

#include "control/answers.hpp"
#include "polylogue/control/control_api.hpp"
#include "polylogue/control/room_view.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::control {

namespace asio = boost::asio;

namespace {

constexpr std::size_t max_speaker_length = 64;
constexpr std::size_t max_message_bytes = 32 * 1024;

// Why a message body is refused, or empty when it is fine.
std::string message_problem(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("speaker") || !body.contains("text") ||
        !body["speaker"].is_string() || !body["text"].is_string()) {
        return "the body is {\"speaker\": \"name\", \"text\": \"...\"}";
    }
    const auto& speaker = body["speaker"].get_ref<const std::string&>();
    const auto& text = body["text"].get_ref<const std::string&>();
    if (speaker.empty() || speaker.size() > max_speaker_length) {
        return "speaker is 1 to 64 characters";
    }
    if (core::slot_from_label(speaker) > 0 || core::ascii_lower(speaker).starts_with("ai-")) {
        return "speaker may not look like an AI slot (AI-n)";
    }
    if (speaker.find_first_of("\r\n\t") != std::string::npos) {
        return "speaker is one line";
    }
    if (text.empty() || text.size() > max_message_bytes) {
        return "text is 1 to 32768 bytes";
    }
    if (core::sanitize_utf8(text) != text || core::sanitize_utf8(speaker) != speaker) {
        return "speaker and text are UTF-8";
    }
    return {};
}

}  // namespace

asio::awaitable<http::server_response> control_api::interject(http::server_request request,
                                                              route_match match) {
    room::room_runner* runner = services_.rooms->find(match.params.at(0));
    if (runner == nullptr) {
        co_return error_answer(404, "not_found", "no room named '" + match.params.at(0) + "'");
    }
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (const std::string problem = message_problem(body); !problem.empty()) {
        co_return error_answer(400, "invalid_message", problem);
    }
    const auto seq = co_await runner->interject(body["speaker"].get<std::string>(),
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
    room::room_runner* runner = services_.rooms->find(match.params.at(0));
    if (runner == nullptr) {
        co_return error_answer(404, "not_found", "no room named '" + match.params.at(0) + "'");
    }
    const std::string by = "the control API (" + request.remote + ")";
    result<std::int64_t> done{errc::invalid_argument};
    if (action == steering::pause) {
        done = co_await runner->pause(by);
    } else if (action == steering::resume) {
        done = co_await runner->resume(by);
    } else {
        done = co_await runner->end("stopped through " + by);
    }
    if (!done) {
        co_return refused_answer(done.error());
    }
    co_return json_answer(200, room_summary(*runner));
}

}  // namespace polylogue::control
