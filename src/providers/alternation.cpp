// The alternating message list Anthropic and Gemini want (request_body.hpp), with the images a
// vision member is shown written as parts of the user message that holds their notice.

#include <vector>

#include "providers/request_body.hpp"

namespace polylogue::providers {
namespace {

// "\n\n" inside a JSON string. Escaping works code point by code point and the separator starts
// with an ASCII byte, so escaped(a + "\n\n" + b) is escaped(a) + this + escaped(b), even when a
// ends in a broken UTF-8 sequence (it becomes one U+FFFD either way).
constexpr std::string_view escaped_blank_line = "\\n\\n";

// Adjacent turns of one role, [first, last) of the history: one message.
struct turn_run {
    turn_role role = turn_role::user;
    std::size_t first = 0;
    std::size_t last = 0;
    bool images = false;
};

bool shown(const conversation_turn& turn) noexcept {
    return !turn.text.blank() || shows_images(turn);
}

std::size_t next_shown(const std::vector<conversation_turn>& turns, std::size_t from) {
    while (from < turns.size() && !shown(turns[from])) {
        ++from;
    }
    return from;
}

// The run starting at the shown turn `first`: up to the next shown turn of the other role.
// Found by looking ahead at roles and flags only, so a body still costs one pass over the text.
turn_run run_at(const std::vector<conversation_turn>& turns, std::size_t first) {
    turn_run run{turns[first].role, first, first + 1, shows_images(turns[first])};
    for (std::size_t i = first + 1; i < turns.size(); ++i) {
        if (!shown(turns[i])) {
            continue;
        }
        if (turns[i].role != run.role) {
            break;
        }
        run.last = i + 1;
        run.images = run.images || shows_images(turns[i]);
    }
    return run;
}

std::string_view role_name(const alternation_format& format, turn_role role) {
    return role == turn_role::user ? format.user_role : format.assistant_role;
}

bool as_parts(const alternation_format& format, std::string_view role) {
    return format.user_text_as_parts && role == format.user_role;
}

// The request's last part gets the marker; write_alternating says which message ends it.
void close_parts(json_body& body, const alternation_format& format, bool last_message) {
    if (last_message && !format.last_block_marker.empty()) {
        body.extend_last_object(format.last_block_marker);
    }
    body.raw(format.after_parts);
}

// One of the orchestrator's notices: a message of its own.
void write_message(json_body& body, const alternation_format& format, std::string_view role,
                   std::string_view plain_text, bool last_message) {
    std::string escaped;
    append_json_escaped(escaped, plain_text);
    if (as_parts(format, role)) {
        body.raw(format.before_parts)
            .raw(format.before_text_part)
            .raw(escaped)
            .raw(format.after_text_part);
        close_parts(body, format, last_message);
    } else {
        body.raw(format.before_text).raw(escaped).raw(format.after_text);
    }
    body.raw(role).raw(format.after_role);
}

void write_text_run(json_body& body, const std::vector<conversation_turn>& turns,
                    const turn_run& run, const alternation_format& format) {
    body.raw(format.before_text);
    bool first = true;
    for (std::size_t i = run.first; i < run.last; ++i) {
        if (!turns[i].text.blank()) {
            body.raw(first ? "" : escaped_blank_line).raw(turns[i].text.escaped());
            first = false;
        }
    }
    body.raw(format.after_text).raw(role_name(format, run.role)).raw(format.after_role);
}

// Texts of adjacent turns share one text part, as without images; an image part follows the text
// of its turn, and the next turn's text starts a new part.
void write_parts_run(json_body& body, const std::vector<conversation_turn>& turns,
                     const turn_run& run, const alternation_format& format, bool last_message) {
    body.raw(format.before_parts);
    bool any_part = false;
    bool text_open = false;
    for (std::size_t i = run.first; i < run.last; ++i) {
        const conversation_turn& turn = turns[i];
        if (!turn.text.blank()) {
            if (text_open) {
                body.raw(escaped_blank_line);
            } else {
                body.raw(any_part ? "," : "").raw(format.before_text_part);
            }
            body.raw(turn.text.escaped());
            text_open = any_part = true;
        }
        if (!shows_images(turn)) {
            continue;
        }
        if (text_open) {
            body.raw(format.after_text_part);
            text_open = false;
        }
        for (const image_part& image : turn.images) {
            if (image.bytes) {
                body.raw(any_part ? "," : "");
                format.write_image(body, image);
                any_part = true;
            }
        }
    }
    if (text_open) {
        body.raw(format.after_text_part);
    }
    close_parts(body, format, last_message);
    body.raw(role_name(format, run.role)).raw(format.after_role);
}

}  // namespace

bool shows_images(const conversation_turn& turn) noexcept {
    if (turn.role != turn_role::user) {
        return false;  // the APIs take images from the user's side only
    }
    for (const image_part& image : turn.images) {
        if (image.bytes) {
            return true;
        }
    }
    return false;
}

void write_alternating(json_body& body, const conversation& history,
                       const alternation_format& format) {
    const auto& turns = history.turns;
    std::size_t next = next_shown(turns, 0);
    if (next == turns.size()) {
        write_message(body, format, format.user_role, speak_first_text, true);
        return;
    }
    if (turns[next].role == turn_role::assistant) {
        write_message(body, format, format.user_role, leading_user_text, false);
        body.raw(",");
    }
    turn_role last_role = turn_role::user;
    for (bool first = true; next < turns.size(); first = false) {
        const turn_run run = run_at(turns, next);
        next = next_shown(turns, run.last);
        body.raw(first ? "" : ",");
        if (run.images || as_parts(format, role_name(format, run.role))) {
            write_parts_run(body, turns, run, format, next == turns.size());
        } else {
            write_text_run(body, turns, run, format);
        }
        last_role = run.role;
    }
    if (last_role == turn_role::assistant) {
        body.raw(",");
        write_message(body, format, format.user_role, your_turn_text, true);
    }
}

}  // namespace polylogue::providers
