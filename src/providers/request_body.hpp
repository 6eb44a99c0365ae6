#pragma once
// Request bodies assembled by concatenation, in one reserved string: the conversation's text is
// already escaped (json_text), so a body costs a copy of its bytes, not a JSON DOM and a
// serialisation pass over every old record. Keys come in the order nlohmann::json sorts them,
// so a body reads as the DOM-built ones did. Pure.

#include <cstddef>
#include <string>
#include <string_view>

#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {

class json_body {
  public:
    explicit json_body(std::size_t expected_bytes) { out_.reserve(expected_bytes); }

    // JSON written by the caller as is: punctuation, keys, escaped text.
    json_body& raw(std::string_view json) {
        out_ += json;
        return *this;
    }
    json_body& string(const json_text& text);
    json_body& string_of(std::string_view plain);  // escapes it
    json_body& integer(long long value);
    json_body& number(double value);  // as nlohmann::json prints it (null when not finite)
    json_body& base64_of(std::string_view bytes);  // inside a string already opened
    // Adds members (",\"key\":value...") to the object just written, before its closing brace.
    json_body& extend_last_object(std::string_view members);

    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

// What a body for these messages takes, roughly: their escaped text, images in base64, framing.
std::size_t expected_body_bytes(const api_request& request);

// The orchestrator's words around the history (docs/transcript.md, "What the models see"),
// worded like the room's other notices so the model takes them as context, not as questions.
inline constexpr std::string_view leading_user_text = "[Polylogue] The conversation so far:";
inline constexpr std::string_view speak_first_text = "[Polylogue] You speak first.";
// Every request ends on a user-side turn: a history ending on the speaker's own message (a solo
// room, or the others muted or suspended) would otherwise read as a reply to continue (Anthropic
// takes it as a prefill) or be refused.
inline constexpr std::string_view your_turn_text = "[Polylogue] It is your turn to speak.";

// Whether the turn carries an image to write: only user turns do, and only images read.
bool shows_images(const conversation_turn& turn) noexcept;

// Anthropic and Gemini want strictly alternating roles that open with the user's. A message of
// text alone is written as before_text, the escaped text, after_text, the role's name,
// after_role; one with images as before_parts, its parts (before_text_part, escaped text,
// after_text_part, or write_image's), after_parts, the role's name, after_role.
// With user_text_as_parts every user message takes the parts form, and last_block_marker, when
// not empty, is added to the members of the request's last part (json_body::extend_last_object).
struct alternation_format {
    std::string_view user_role;
    std::string_view assistant_role;
    std::string_view before_text;
    std::string_view after_text;
    std::string_view after_role;
    std::string_view before_parts;
    std::string_view after_parts;
    std::string_view before_text_part;
    std::string_view after_text_part;
    void (*write_image)(json_body& body, const image_part& image) = nullptr;
    bool user_text_as_parts = false;
    std::string_view last_block_marker{};
};

// Writes the history's turns as such messages, comma-separated: adjacent turns of one role are
// merged into one message, their texts joined by a blank line; blank turns are dropped (the APIs
// refuse empty text); a notice leads when the speaker's own turn comes first, another follows
// when it comes last (a request ends on the user's side), and an empty history becomes one user
// message inviting the speaker to begin.
void write_alternating(json_body& body, const conversation& history,
                       const alternation_format& format);

std::string openai_request_body(const api_request& request, const endpoint_settings& endpoint);
std::string anthropic_request_body(const api_request& request);
std::string gemini_request_body(const api_request& request);

}  // namespace polylogue::providers
