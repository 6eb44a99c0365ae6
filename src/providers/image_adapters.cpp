// Image generation backends: OpenAI Images (POST /images/generations), Gemini image models
// (generateContent with the IMAGE modality) and OpenRouter (chat completions with
// "modalities"). Each answers with base64 bytes, a data URL or a plain URL somewhere in its own
// JSON; the adapters turn all of them into one generated_image.

#include <algorithm>
#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "polylogue/core/base64.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/providers/tool_adapters.hpp"
#include "providers/body_excerpt.hpp"
#include "providers/json_access.hpp"
#include "providers/request_headers.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

// Gemini's finish and block reasons that mean "refused on content grounds": a retry of the
// same prompt would be refused again, so they are blocks rather than plain failures.
constexpr std::array<std::string_view, 8> gemini_block_reasons = {
    "SAFETY",    "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT",
    "BLOCKLIST", "SPII",         "RECITATION",         "IMAGE_RECITATION"};
// OpenAI's error codes for a prompt or image its moderation rejected.
constexpr std::array<std::string_view, 2> openai_block_codes = {"content_policy_violation",
                                                                "moderation_blocked"};

bool one_of(std::string_view value, std::span<const std::string_view> set) {
    return std::ranges::find(set, value) != set.end();
}

std::string dump(const json& value) {
    // Replace rather than throw: a stray invalid byte in a prompt must not cost the image.
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Gemini's REST samples use camelCase, its older docs and some proxies snake_case.
const json& member_either(const json& object, const char* camel, const char* snake) {
    const json& value = member(object, camel);
    return value.is_null() ? member(object, snake) : value;
}

bool is_thought(const json& part) {
    const json& thought = member(part, "thought");
    return thought.is_boolean() && thought.get<bool>();
}

api_failure make_failure(failure_kind kind, std::string type, std::string message) {
    return api_failure{kind, 0, std::move(type), std::move(message)};
}

api_failure malformed(std::string message) {
    // Usually a body cut off in transit; the next attempt tends to arrive whole.
    return make_failure(failure_kind::retriable, "malformed_body", std::move(message));
}

header_list request_headers(const tool_settings& settings, header_list auth) {
    return json_request_headers(std::move(auth), settings.extra_headers);
}

header_list bearer(const tool_settings& settings) {
    return key_header("authorization", settings.api_key, "Bearer ");
}

// {"error":{"message","type"|"code"|"status"}} from OpenAI, OpenRouter and Gemini alike; only
// string codes count as a type (OpenRouter's and Gemini's numeric codes repeat the status).
std::string error_type(const json& error) {
    for (const char* name : {"type", "code", "status"}) {
        std::string value = string_field(error, name);
        if (!value.empty()) {
            return value;
        }
    }
    return {};
}

bool has_invalid_api_key(const json& error) {
    const json& details = member(error, "details");
    if (!details.is_array()) {
        return false;
    }
    for (const json& detail : details) {
        if (string_field(detail, "reason") == "API_KEY_INVALID") {
            return true;
        }
    }
    return false;
}

// The error object's own verdict where it is sharper than the status: Gemini answers a bad key
// with 400, OpenAI a moderation refusal with 400.
void refine_from_error(const json& error, api_failure& failure) {
    failure.message = string_field(error, "message");
    failure.type = error_type(error);
    const std::string code = string_field(error, "code");
    if (has_invalid_api_key(error)) {
        failure.kind = failure_kind::authentication;
        failure.type = "API_KEY_INVALID";
    } else if (one_of(code, openai_block_codes)) {
        failure.kind = failure_kind::blocked;
        failure.type = code;
    }
}

api_failure classify_image_error(int status, const header_list& headers, std::string_view body) {
    api_failure failure = classify_status(status, headers);
    const json parsed = json::parse(body, nullptr, false);
    const json& error = member(parsed, "error");
    if (error.is_object()) {
        refine_from_error(error, failure);
    } else if (error.is_string()) {
        failure.message = error.get<std::string>();
    }
    if (failure.type.empty()) {
        failure.type = "http_" + std::to_string(status);
    }
    if (failure.message.empty()) {
        failure.message = body_excerpt(body);
    }
    return failure;
}

// An error object inside a 200 body (OpenRouter relays upstream failures this way).
api_failure failure_in_body(const json& error) {
    const json& code = member(error, "code");
    const int status = code.is_number_integer() ? code.get<int>() : 0;
    api_failure failure = status >= 400 && status <= 599
                              ? classify_status(status, {})
                              : make_failure(failure_kind::final, {}, {});
    failure.http_status = 0;
    refine_from_error(error, failure);
    if (failure.type.empty()) {
        failure.type = status != 0 ? "error_" + std::to_string(status) : "error";
    }
    return failure;
}

std::string sniff_mime(std::string_view bytes) {
    if (bytes.starts_with("\x89PNG")) {
        return "image/png";
    }
    if (bytes.starts_with("\xFF\xD8\xFF")) {
        return "image/jpeg";
    }
    if (bytes.starts_with("GIF8")) {
        return "image/gif";
    }
    if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") {
        return "image/webp";
    }
    return "image/png";
}

// declared_mime empty: the backend did not say, so the bytes do.
image_outcome image_from_base64(std::string_view text, std::string declared_mime) {
    std::optional<std::string> bytes = core::base64_decode(text);
    if (!bytes || bytes->empty()) {
        return malformed("the image data is not valid base64");
    }
    std::string mime =
        declared_mime.empty() ? sniff_mime(*bytes) : core::ascii_lower(declared_mime);
    return generated_image{std::move(*bytes), std::move(mime), {}};
}

image_outcome image_from_url(const std::string& url) {
    if (core::ascii_lower(std::string_view{url}.substr(0, 5)) == "data:") {
        auto parsed = core::parse_data_url(url);
        if (!parsed || parsed->second.empty()) {
            return malformed("the image data URL is not valid");
        }
        return generated_image{std::move(parsed->second), std::move(parsed->first), {}};
    }
    if (url.starts_with("https://") || url.starts_with("http://")) {
        return generated_image{{}, {}, url};
    }
    return make_failure(failure_kind::final, "unsupported_url",
                        "the image came as an unsupported URL: " + excerpt(url, 100));
}

image_outcome no_image(std::string message) {
    if (message.empty()) {
        message = "the backend answered without an image";
    }
    return make_failure(failure_kind::final, "no_image", std::move(message));
}

class json_image_adapter : public image_adapter {
  public:
    api_failure classify_error(int status, const header_list& headers,
                               std::string_view body) const override {
        return classify_image_error(status, headers, body);
    }
};

// https://platform.openai.com/docs/api-reference/images/create
class openai_image_adapter final : public json_image_adapter {
  public:
    http_call build_request(std::string_view prompt, const tool_settings& settings) const override {
        json body = {
            {"model", settings.model_id}, {"prompt", prompt}, {"n", 1}, {"size", "1024x1024"}};
        // DALL-E answers with a short-lived URL unless asked for base64; gpt-image-* always
        // answers base64 and rejects the field.
        if (settings.model_id.starts_with("dall-e")) {
            body["response_format"] = "b64_json";
        }
        return {"POST", "/images/generations", request_headers(settings, bearer(settings)),
                dump(body)};
    }

    image_outcome decode(std::string_view body) const override {
        const json parsed = json::parse(body, nullptr, false);
        if (!parsed.is_object()) {
            return malformed("the images response is not a JSON object");
        }
        if (member(parsed, "error").is_object()) {
            return failure_in_body(member(parsed, "error"));
        }
        const json& item = first_element(member(parsed, "data"));
        const std::string b64 = string_field(item, "b64_json");
        if (!b64.empty()) {
            return image_from_base64(b64, mime_for_format(string_field(parsed, "output_format")));
        }
        const std::string url = string_field(item, "url");
        return url.empty() ? no_image({}) : image_from_url(url);
    }

  private:
    static std::string mime_for_format(const std::string& format) {
        const std::string lowered = core::ascii_lower(format);
        if (lowered == "jpeg" || lowered == "jpg") {
            return "image/jpeg";
        }
        return lowered == "webp" || lowered == "png" ? "image/" + lowered : std::string{};
    }
};

// https://ai.google.dev/gemini-api/docs/image-generation
class gemini_image_adapter final : public json_image_adapter {
  public:
    http_call build_request(std::string_view prompt, const tool_settings& settings) const override {
        std::string_view model = settings.model_id;
        if (model.starts_with("models/")) {
            model.remove_prefix(7);
        }
        const json body = {
            {"contents", json::array({{{"role", "user"}, {"parts", {{{"text", prompt}}}}}})},
            {"generationConfig", {{"responseModalities", {"TEXT", "IMAGE"}}}}};
        return {"POST", "/v1beta/models/" + std::string{model} + ":generateContent",
                request_headers(settings, key_header("x-goog-api-key", settings.api_key)),
                dump(body)};
    }

    image_outcome decode(std::string_view body) const override {
        const json parsed = json::parse(body, nullptr, false);
        if (!parsed.is_object()) {
            return malformed("the generateContent response is not a JSON object");
        }
        if (member(parsed, "error").is_object()) {
            return failure_in_body(member(parsed, "error"));
        }
        const json& feedback = member(parsed, "promptFeedback");
        const std::string block = string_field(feedback, "blockReason");
        if (!block.empty()) {
            std::string message = string_field(feedback, "blockReasonMessage");
            return make_failure(failure_kind::blocked, block,
                                message.empty() ? "the prompt was blocked: " + block : message);
        }
        const json& candidate = first_element(member(parsed, "candidates"));
        const json& parts = member(member(candidate, "content"), "parts");
        if (const json* inline_data = find_image(parts)) {
            const json& mime = member_either(*inline_data, "mimeType", "mime_type");
            return image_from_base64(string_field(*inline_data, "data"),
                                     mime.is_string() ? mime.get<std::string>() : std::string{});
        }
        return explain_missing_image(candidate, parts);
    }

  private:
    // Thinking image models (Gemini 3 Pro Image) send draft images marked "thought" before
    // the real one; a draft is only the fallback.
    static const json* find_image(const json& parts) {
        if (!parts.is_array()) {
            return nullptr;
        }
        const json* draft = nullptr;
        for (const json& part : parts) {
            const json& data = member_either(part, "inlineData", "inline_data");
            if (!data.is_object() || string_field(data, "data").empty()) {
                continue;
            }
            if (!is_thought(part)) {
                return &data;
            }
            draft = draft != nullptr ? draft : &data;
        }
        return draft;
    }

    static image_outcome explain_missing_image(const json& candidate, const json& parts) {
        std::string text;
        if (parts.is_array()) {
            for (const json& part : parts) {
                if (!is_thought(part)) {
                    text += string_field(part, "text");
                }
            }
        }
        if (text.empty()) {
            text = string_field(candidate, "finishMessage");
        }
        const std::string reason = string_field(candidate, "finishReason");
        if (one_of(reason, gemini_block_reasons)) {
            return make_failure(failure_kind::blocked, reason,
                                text.empty() ? "image generation stopped: " + reason : text);
        }
        if (text.empty() && !reason.empty()) {
            text = "the model returned no image (finishReason " + reason + ")";
        }
        return no_image(text);
    }
};

// https://openrouter.ai/docs/features/multimodal/image-generation
class openrouter_image_adapter final : public json_image_adapter {
  public:
    http_call build_request(std::string_view prompt, const tool_settings& settings) const override {
        const json body = {{"model", settings.model_id},
                           {"messages", json::array({{{"role", "user"}, {"content", prompt}}})},
                           {"modalities", {"image", "text"}}};
        return {"POST", "/chat/completions", request_headers(settings, bearer(settings)),
                dump(body)};
    }

    image_outcome decode(std::string_view body) const override {
        const json parsed = json::parse(body, nullptr, false);
        if (!parsed.is_object()) {
            return malformed("the chat completion is not a JSON object");
        }
        const json& choice = first_element(member(parsed, "choices"));
        for (const json* error : {&member(parsed, "error"), &member(choice, "error")}) {
            if (error->is_object()) {
                return failure_in_body(*error);
            }
        }
        const json& message = member(choice, "message");
        const json& image = first_element(member(message, "images"));
        const std::string url = string_field(member(image, "image_url"), "url");
        if (!url.empty()) {
            return image_from_url(url);
        }
        return explain_missing_image(choice, message);
    }

  private:
    static image_outcome explain_missing_image(const json& choice, const json& message) {
        const std::string text = string_field(message, "content");
        // native_finish_reason is the upstream's own word, e.g. Gemini's IMAGE_SAFETY.
        const std::string native = string_field(choice, "native_finish_reason");
        const std::string finish = string_field(choice, "finish_reason");
        if (finish == "content_filter" || one_of(native, gemini_block_reasons)) {
            const std::string reason = native.empty() ? finish : native;
            return make_failure(failure_kind::blocked, reason,
                                text.empty() ? "image generation stopped: " + reason : text);
        }
        return no_image(text);
    }
};

}  // namespace

std::unique_ptr<image_adapter> make_image_adapter(std::string_view kind) {
    if (kind == "openai") {
        return std::make_unique<openai_image_adapter>();
    }
    if (kind == "gemini") {
        return std::make_unique<gemini_image_adapter>();
    }
    if (kind == "openrouter") {
        return std::make_unique<openrouter_image_adapter>();
    }
    return nullptr;
}

}  // namespace polylogue::providers
