#include "providers/request_body.hpp"

#include <nlohmann/json.hpp>

namespace polylogue::providers {
namespace {

// Same wording for Anthropic and Gemini, like the room's other notices, so the model takes it
// as context rather than as a question to answer.
constexpr std::string_view leading_user_text = "[Polylogue] The conversation so far:";
constexpr std::string_view speak_first_text = "[Polylogue] You speak first.";
// Every request ends on a user-side turn: a history ending on the speaker's own message (a solo
// room, or the others muted or suspended) would otherwise read as a reply to continue (Anthropic
// takes it as a prefill) or be refused.
constexpr std::string_view your_turn_text = "[Polylogue] It is your turn to speak.";

// "\n\n" inside a JSON string. Escaping works code point by code point and the separator starts
// with an ASCII byte, so escaped(a + "\n\n" + b) is escaped(a) + this + escaped(b), even when a
// ends in a broken UTF-8 sequence (it becomes one U+FFFD either way).
constexpr std::string_view escaped_blank_line = "\\n\\n";

// Framing per turn: the role's object, its key and quotes; generous on purpose.
constexpr std::size_t framing_bytes_per_turn = 48;
constexpr std::size_t framing_bytes_per_body = 256;

void write_message(json_body& body, const alternation_format& format, std::string_view role,
                   std::string_view plain_text) {
    body.raw(format.before_text);
    std::string escaped;
    append_json_escaped(escaped, plain_text);
    body.raw(escaped).raw(format.after_text).raw(role).raw(format.after_role);
}

}  // namespace

json_body& json_body::string(const json_text& text) {
    out_ += '"';
    out_ += text.escaped();
    out_ += '"';
    return *this;
}

json_body& json_body::string_of(std::string_view plain) {
    out_ += '"';
    append_json_escaped(out_, plain);
    out_ += '"';
    return *this;
}

json_body& json_body::integer(long long value) {
    out_ += std::to_string(value);
    return *this;
}

json_body& json_body::number(double value) {
    out_ += nlohmann::json(value).dump();
    return *this;
}

std::size_t expected_body_bytes(const api_request& request) {
    std::size_t bytes =
        framing_bytes_per_body + request.model_id.size() + request.messages.system.escaped().size();
    for (const conversation_turn& turn : request.messages.turns) {
        bytes += turn.text.escaped().size() + framing_bytes_per_turn;
    }
    return bytes;
}

void write_alternating(json_body& body, const conversation& history,
                       const alternation_format& format) {
    const auto role_name = [&format](turn_role role) {
        return role == turn_role::user ? format.user_role : format.assistant_role;
    };
    bool open = false;
    turn_role current = turn_role::user;
    for (const conversation_turn& turn : history.turns) {
        if (turn.text.blank()) {
            continue;
        }
        if (open && turn.role == current) {
            body.raw(escaped_blank_line).raw(turn.text.escaped());
            continue;
        }
        if (open) {
            body.raw(format.after_text).raw(role_name(current)).raw(format.after_role).raw(",");
        } else if (turn.role == turn_role::assistant) {
            write_message(body, format, format.user_role, leading_user_text);
            body.raw(",");
        }
        open = true;
        current = turn.role;
        body.raw(format.before_text).raw(turn.text.escaped());
    }
    if (open) {
        body.raw(format.after_text).raw(role_name(current)).raw(format.after_role);
        if (current == turn_role::assistant) {
            body.raw(",");
            write_message(body, format, format.user_role, your_turn_text);
        }
    } else {
        write_message(body, format, format.user_role, speak_first_text);
    }
}

std::string openai_request_body(const api_request& request, const endpoint_settings& endpoint) {
    json_body body{expected_body_bytes(request)};
    std::string_view limit_field = endpoint.max_tokens_field;
    if (limit_field.empty()) {
        limit_field = "max_tokens";
    }
    body.raw("{").string_of(limit_field).raw(":").integer(request.max_tokens);
    body.raw(",\"messages\":[");
    bool first = true;
    if (!request.messages.system.empty()) {
        body.raw("{\"content\":").string(request.messages.system).raw(",\"role\":\"system\"}");
        first = false;
    }
    for (const conversation_turn& turn : request.messages.turns) {
        body.raw(first ? "{\"content\":" : ",{\"content\":").string(turn.text);
        body.raw(turn.role == turn_role::assistant ? ",\"role\":\"assistant\"}"
                                                   : ",\"role\":\"user\"}");
        first = false;
    }
    const auto& turns = request.messages.turns;
    if (turns.empty() || turns.back().role == turn_role::assistant) {
        body.raw(first ? "{\"content\":" : ",{\"content\":")
            .string_of(turns.empty() ? speak_first_text : your_turn_text)
            .raw(",\"role\":\"user\"}");
    }
    body.raw("],\"model\":").string_of(request.model_id);
    // Without stream_options OpenAI sends no usage at all in a stream.
    body.raw(request.stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"
                            : ",\"stream\":false");
    if (request.temperature) {
        body.raw(",\"temperature\":").number(*request.temperature);
    }
    return body.raw("}").take();
}

std::string anthropic_request_body(const api_request& request) {
    json_body body{expected_body_bytes(request)};
    body.raw("{\"max_tokens\":").integer(request.max_tokens).raw(",\"messages\":[");
    write_alternating(body, request.messages,
                      {.user_role = "user",
                       .assistant_role = "assistant",
                       .before_text = "{\"content\":\"",
                       .after_text = "\",\"role\":\"",
                       .after_role = "\"}"});
    body.raw("],\"model\":").string_of(request.model_id);
    if (request.stream) {
        body.raw(",\"stream\":true");
    }
    if (!request.messages.system.empty()) {
        body.raw(",\"system\":").string(request.messages.system);
    }
    if (request.temperature) {
        body.raw(",\"temperature\":").number(*request.temperature);
    }
    return body.raw("}").take();
}

std::string gemini_request_body(const api_request& request) {
    json_body body{expected_body_bytes(request)};
    body.raw("{\"contents\":[");
    write_alternating(body, request.messages,
                      {.user_role = "user",
                       .assistant_role = "model",
                       .before_text = "{\"parts\":[{\"text\":\"",
                       .after_text = "\"}],\"role\":\"",
                       .after_role = "\"}"});
    body.raw("],\"generationConfig\":{\"maxOutputTokens\":").integer(request.max_tokens);
    if (request.temperature) {
        body.raw(",\"temperature\":").number(*request.temperature);
    }
    body.raw("}");
    if (!request.messages.system.empty()) {
        body.raw(",\"systemInstruction\":{\"parts\":[{\"text\":")
            .string(request.messages.system)
            .raw("}]}");
    }
    return body.raw("}").take();
}

}  // namespace polylogue::providers
