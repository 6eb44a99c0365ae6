#include "providers/request_body.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "polylogue/core/base64.hpp"

namespace polylogue::providers {
namespace {

// Framing per turn: the role's object, its key and quotes; generous on purpose. Likewise per
// image part: its object, keys and media type.
constexpr std::size_t framing_bytes_per_turn = 48;
constexpr std::size_t framing_bytes_per_body = 256;
constexpr std::size_t framing_bytes_per_image = 128;

// {"image_url":{"url":"data:image/png;base64,..."},"type":"image_url"}
void write_openai_image(json_body& body, const image_part& image) {
    std::string media_type;
    append_json_escaped(media_type, image.mime);
    body.raw("{\"image_url\":{\"url\":\"data:").raw(media_type).raw(";base64,");
    body.base64_of(image.bytes.view()).raw("\"},\"type\":\"image_url\"}");
}

// {"source":{"data":"...","media_type":"image/png","type":"base64"},"type":"image"}
void write_anthropic_image(json_body& body, const image_part& image) {
    body.raw("{\"source\":{\"data\":\"").base64_of(image.bytes.view()).raw("\",\"media_type\":");
    body.string_of(image.mime).raw(",\"type\":\"base64\"},\"type\":\"image\"}");
}

// {"inlineData":{"data":"...","mimeType":"image/png"}}
void write_gemini_image(json_body& body, const image_part& image) {
    body.raw("{\"inlineData\":{\"data\":\"").base64_of(image.bytes.view()).raw("\",\"mimeType\":");
    body.string_of(image.mime).raw("}}");
}

// Anthropic's prompt cache breakpoint, the one place where keys are not sorted: it goes after a
// block's other members, so that the block a request ends with, which the next request repeats
// without the marker, still has the same bytes up to it ("...","type":"text"). Each request
// marks the system prompt and its last block (2 of the 4 allowed); the next request's cache
// lookback finds the previous one's end within its 20 blocks, as a user run is one text block.
constexpr std::string_view anthropic_breakpoint = R"(,"cache_control":{"type":"ephemeral"})";

// With caching on, the system prompt is one marked text block; otherwise a plain string.
void write_anthropic_system(json_body& body, const json_text& system, bool cached) {
    if (!cached) {
        body.raw(",\"system\":").string(system);
        return;
    }
    body.raw(",\"system\":[{\"text\":").string(system).raw(",\"type\":\"text\"");
    body.raw(anthropic_breakpoint).raw("}]");
}

// A user turn with images: its content as parts, the text first.
void write_openai_parts(json_body& body, const conversation_turn& turn) {
    body.raw("{\"content\":[{\"text\":").string(turn.text).raw(",\"type\":\"text\"}");
    for (const image_part& image : turn.images) {
        if (image.bytes) {
            body.raw(",");
            write_openai_image(body, image);
        }
    }
    body.raw("],\"role\":\"user\"}");
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

json_body& json_body::base64_of(std::string_view bytes) {
    core::base64_append(out_, bytes);
    return *this;
}

json_body& json_body::extend_last_object(std::string_view members) {
    if (out_.empty() || out_.back() != '}') {
        throw std::logic_error{"json_body: no object to extend"};
    }
    out_.pop_back();
    out_ += members;
    out_ += '}';
    return *this;
}

std::size_t expected_body_bytes(const api_request& request) {
    std::size_t bytes = framing_bytes_per_body + request.model_id.size() +
                        request.cache.key.size() + request.messages.system.escaped().size();
    for (const conversation_turn& turn : request.messages.turns) {
        bytes += turn.text.escaped().size() + framing_bytes_per_turn;
        for (const image_part& image : turn.images) {
            bytes += (image.bytes.size + 2) / 3 * 4 + framing_bytes_per_image;
        }
    }
    return bytes;
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
        body.raw(first ? "" : ",");
        first = false;
        if (shows_images(turn)) {
            write_openai_parts(body, turn);
            continue;
        }
        body.raw("{\"content\":").string(turn.text);
        body.raw(turn.role == turn_role::assistant ? ",\"role\":\"assistant\"}"
                                                   : ",\"role\":\"user\"}");
    }
    const auto& turns = request.messages.turns;
    if (turns.empty() || turns.back().role == turn_role::assistant) {
        body.raw(first ? "{\"content\":" : ",{\"content\":")
            .string_of(turns.empty() ? speak_first_text : your_turn_text)
            .raw(",\"role\":\"user\"}");
    }
    body.raw("],\"model\":").string_of(request.model_id);
    // OpenAI routes requests with one key to the same cache; compatible servers that do not
    // know the field may refuse it (cache: off, and the hint in classify_error).
    if (request.cache.enabled && !request.cache.key.empty()) {
        body.raw(",\"prompt_cache_key\":").string_of(request.cache.key);
    }
    // Without stream_options OpenAI sends no usage at all in a stream.
    body.raw(request.stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"
                            : ",\"stream\":false");
    if (request.temperature) {
        body.raw(",\"temperature\":").number(*request.temperature);
    }
    return body.raw("}").take();
}

std::string anthropic_request_body(const api_request& request) {
    const bool cached = request.cache.enabled;
    json_body body{expected_body_bytes(request)};
    body.raw("{\"max_tokens\":").integer(request.max_tokens).raw(",\"messages\":[");
    write_alternating(body, request.messages,
                      {.user_role = "user",
                       .assistant_role = "assistant",
                       .before_text = "{\"content\":\"",
                       .after_text = "\",\"role\":\"",
                       .after_role = "\"}",
                       .before_parts = "{\"content\":[",
                       .after_parts = "],\"role\":\"",
                       .before_text_part = "{\"text\":\"",
                       .after_text_part = "\",\"type\":\"text\"}",
                       .write_image = write_anthropic_image,
                       .user_text_as_parts = cached,
                       .last_block_marker = cached ? anthropic_breakpoint : std::string_view{}});
    body.raw("],\"model\":").string_of(request.model_id);
    if (request.stream) {
        body.raw(",\"stream\":true");
    }
    if (!request.messages.system.empty()) {
        write_anthropic_system(body, request.messages.system, cached);
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
                       .after_role = "\"}",
                       .before_parts = "{\"parts\":[",
                       .after_parts = "],\"role\":\"",
                       .before_text_part = "{\"text\":\"",
                       .after_text_part = "\"}",
                       .write_image = write_gemini_image});
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
