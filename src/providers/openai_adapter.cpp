// OpenAI Chat Completions, the dialect most servers speak: OpenAI, OpenRouter, xAI, DeepSeek,
// Groq, Together, Ollama, llama.cpp. Their streams differ in small ways (where usage travels,
// what reasoning is called, whether [DONE] comes), so the decoder accepts all of them.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "polylogue/core/text.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "providers/body_excerpt.hpp"
#include "providers/json_access.hpp"
#include "providers/request_body.hpp"
#include "providers/request_headers.hpp"
#include "providers/token_count.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

// --- JSON reading: every field may be missing, null or of an unexpected type. ---------------

const json* object_at(const json& object, std::string_view key) {
    const json& value = member(object, key);
    return value.is_object() ? &value : nullptr;
}

const json* first_choice(const json& document) {
    const json& choice = first_element(member(document, "choices"));
    return choice.is_object() ? &choice : nullptr;
}

// DeepSeek says reasoning_content, OpenRouter/Groq/Ollama say reasoning; a server sending
// both sends the same text twice, so one of them is taken.
std::string reasoning_of(const json& message) {
    std::string reasoning = string_field(message, "reasoning_content");
    return reasoning.empty() ? string_field(message, "reasoning") : reasoning;
}

std::optional<std::int64_t> token_count(const json& usage, std::string_view key) {
    return token_count_of(member(usage, key));
}

// OpenAI and most others put usage at the top of a chunk; Groq puts it under x_groq.
std::optional<token_usage> usage_of(const json& document) {
    const json* usage = object_at(document, "usage");
    if (usage == nullptr) {
        if (const json* groq = object_at(document, "x_groq")) {
            usage = object_at(*groq, "usage");
        }
    }
    if (usage == nullptr) {
        return std::nullopt;
    }
    const auto input = token_count(*usage, "prompt_tokens");
    const auto output = token_count(*usage, "completion_tokens");
    if (!input && !output) {
        return std::nullopt;
    }
    token_usage counts{input.value_or(0), output.value_or(0)};
    // prompt_tokens counts the cached and written parts too; a server claiming more than the
    // whole prompt is believed only up to the whole. Writes are recorded when reported (the
    // spec's cache_write_tokens; OpenAI bills them as input, routers to Anthropic models at
    // Anthropic's write price), so that cache_write_per_mtok can price them.
    const json& details = member(*usage, "prompt_tokens_details");
    const auto cached = token_count(details, "cached_tokens");
    const auto written = token_count(details, "cache_write_tokens");
    counts.cached_input_tokens = std::min(cached.value_or(0), counts.input_tokens);
    counts.cache_write_tokens =
        std::min(written.value_or(0), counts.input_tokens - counts.cached_input_tokens);
    return counts;
}

// --- Errors: {"error": {"message", "type", "code"}}, code a string, a number or null. -------

std::optional<int> numeric_code(const json& error) {
    const json& code = member(error, "code");
    if (code.is_number_integer()) {
        return code.get<int>();
    }
    if (code.is_string()) {
        const auto& text = code.get_ref<const std::string&>();
        int value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc{} && end == text.data() + text.size()) {
            return value;
        }
    }
    return std::nullopt;
}

// The most specific name the provider gave: OpenAI's code ("rate_limit_exceeded") says more
// than its type ("requests"); OpenRouter only has a numeric code.
std::string error_type(const json& error) {
    std::string type = string_field(error, "code");
    if (type.empty()) {
        type = string_field(error, "type");
    }
    if (type.empty()) {
        if (const auto code = numeric_code(error)) {
            type = std::to_string(*code);
        }
    }
    return type;
}

bool retriable_error(const json& error) {
    if (const auto code = numeric_code(error)) {
        if (*code == 408 || *code == 429 || (*code >= 500 && *code <= 599)) {
            return true;
        }
    }
    static constexpr std::array<std::string_view, 5> transient{
        "server_error", "rate_limit_exceeded", "overloaded", "overloaded_error",
        "rate_limit_error"};
    for (const auto& name : {string_field(error, "code"), string_field(error, "type")}) {
        if (std::find(transient.begin(), transient.end(), name) != transient.end()) {
            return true;
        }
    }
    return false;
}

// The error object of a document, if it is one: OpenAI/OpenRouter/llama.cpp nest it under
// "error"; vLLM sends {"object": "error", "message": ...} at the top level.
const json* error_object(const json& document) {
    if (const json* nested = object_at(document, "error")) {
        return nested;
    }
    return string_field(document, "object") == "error" ? &document : nullptr;
}

struct error_description {
    bool retriable = false;
    std::string type;
    std::string message;  // may be empty
};

// A document that reports an error: {"error": {...}}, {"error": "text"} (Ollama's wording) or
// vLLM's top-level {"object": "error", ...}.
std::optional<error_description> describe_error(const json& document) {
    if (const json* error = error_object(document)) {
        return error_description{retriable_error(*error), error_type(*error),
                                 string_field(*error, "message")};
    }
    const json& other = member(document, "error");
    if (other.is_null()) {
        return std::nullopt;
    }
    return error_description{false, {}, other.is_string() ? other.get<std::string>() : ""};
}

// An error reported inside a 200 response (a stream event or a whole body).
api_failure in_band_failure(const error_description& error) {
    api_failure failure;
    failure.kind = error.retriable ? failure_kind::retriable : failure_kind::final;
    failure.type = error.type;
    failure.message = error.message.empty()
                          ? std::string{"the provider reported an error without a message"}
                          : error.message;
    return failure;
}

std::string trim(std::string_view text) {
    constexpr std::string_view blanks = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos) {
        return {};
    }
    return std::string{text.substr(first, text.find_last_not_of(blanks) - first + 1)};
}

api_failure make_failure(failure_kind kind, std::string type, std::string message) {
    return api_failure{.kind = kind, .type = std::move(type), .message = std::move(message)};
}

// A reply that ended properly may still be unusable: ended by an error (OpenRouter's
// finish_reason "error", sometimes without an error object) or carrying no text.
std::optional<api_failure> unusable_reply_failure(const decoded_reply& reply) {
    if (reply.finish_reason == "error") {
        return make_failure(failure_kind::retriable, "finish_reason_error",
                            "the provider ended the reply with finish_reason \"error\"");
    }
    if (!reply.text.empty()) {
        return std::nullopt;
    }
    if (reply.finish_reason == "content_filter") {
        return make_failure(failure_kind::blocked, "content_filter",
                            "the provider's content filter withheld the reply");
    }
    if (reply.finish_reason == "length") {
        return make_failure(failure_kind::final, "empty_reply",
                            "the token limit was reached before any reply text");
    }
    return make_failure(failure_kind::final, "empty_reply", "the model returned an empty reply");
}

// A compatible server that does not know prompt_cache_key refuses the whole request, on every
// turn; only the operator can fix that, so the message names the option. A plain find: the body
// is untrusted, and FastAPI-style servers name the field only in a `detail` list.
void name_the_cache_option(api_failure& failure, std::string_view body) {
    constexpr std::string_view field = "prompt_cache_key";
    const bool refused = failure.kind == failure_kind::final &&
                         (failure.http_status == 400 || failure.http_status == 422);
    if (refused && (failure.message.find(field) != std::string::npos ||
                    body.find(field) != std::string_view::npos)) {
        failure.message +=
            " (this endpoint does not take prompt_cache_key: set `cache: off` on the model)";
    }
}

// --- Request ---------------------------------------------------------------------------------

// An extra header replaces a default one of the same name (e.g. a server wanting its own
// authorization scheme) instead of sending both.
void set_header(header_list& headers, const std::string& name, const std::string& value) {
    const std::string lowered = core::ascii_lower(name);
    for (auto& [existing, existing_value] : headers) {
        if (core::ascii_lower(existing) == lowered) {
            existing_value = value;
            return;
        }
    }
    headers.emplace_back(name, value);
}

header_list request_headers(const api_request& request, const endpoint_settings& endpoint) {
    header_list headers = key_header("authorization", endpoint.api_key, "Bearer ");
    headers.emplace_back("content-type", "application/json");
    if (request.stream) {
        headers.emplace_back("accept", "text/event-stream");
    }
    for (const auto& [name, value] : endpoint.extra_headers) {
        set_header(headers, name, value);
    }
    return headers;
}

// --- Stream decoder --------------------------------------------------------------------------

class openai_stream_decoder final : public stream_decoder {
  public:
    void on_event(const http::sse_event& event) override {
        last_event_malformed_ = false;
        // After [DONE] or a failure nothing later can change the outcome.
        if (reply_.complete || reply_.failure) {
            return;
        }
        const std::string data = trim(event.data);
        if (data.empty()) {
            return;
        }
        if (data == "[DONE]") {
            reply_.complete = true;
            return;
        }
        const json chunk = json::parse(data, nullptr, false);
        if (!chunk.is_object()) {
            last_event_malformed_ = true;
            reply_.failure = make_failure(
                failure_kind::retriable, "malformed_stream",
                "the stream carried an event that is not a JSON object: " + body_excerpt(data));
            return;
        }
        on_chunk(chunk);
    }

    void finish() override {
        // A connection cut inside the last line leaves half a JSON object: that is a cut
        // stream, not a server speaking garbage.
        if (last_event_malformed_) {
            reply_.failure.reset();
        }
        if (reply_.failure) {
            return;
        }
        // Some compatible servers end with a finish_reason and close without [DONE].
        if (!reply_.complete && !reply_.finish_reason.empty()) {
            reply_.complete = true;
        }
        if (!reply_.complete) {
            reply_.failure = make_failure(failure_kind::retriable, "stream_cut",
                                          "the stream ended before the reply was complete");
            return;
        }
        reply_.failure = unusable_reply_failure(reply_);
    }

    std::string take_new_text() override {
        std::string fresh = reply_.text.substr(taken_);
        taken_ = reply_.text.size();
        return fresh;
    }

    const decoded_reply& reply() const override { return reply_; }

  private:
    void on_chunk(const json& chunk) {
        if (const auto error = describe_error(chunk)) {
            reply_.failure = in_band_failure(*error);
            return;
        }
        if (const json* choice = first_choice(chunk)) {
            if (const json* delta = object_at(*choice, "delta")) {
                reply_.text += string_field(*delta, "content");
                reply_.reasoning += reasoning_of(*delta);
            }
            if (std::string reason = string_field(*choice, "finish_reason"); !reason.empty()) {
                reply_.finish_reason = std::move(reason);
            }
        }
        if (auto usage = usage_of(chunk)) {
            reply_.usage = usage;
        }
    }

    decoded_reply reply_;
    std::size_t taken_ = 0;
    bool last_event_malformed_ = false;
};

// --- Adapter ---------------------------------------------------------------------------------

class openai_adapter final : public api_adapter {
  public:
    http_call build_request(const api_request& request,
                            const endpoint_settings& endpoint) const override {
        return http_call{.method = "POST",
                         .target = "/chat/completions",
                         .headers = request_headers(request, endpoint),
                         .body = openai_request_body(request, endpoint)};
    }

    std::unique_ptr<stream_decoder> make_stream_decoder() const override {
        return std::make_unique<openai_stream_decoder>();
    }

    decoded_reply decode_body(std::string_view body) const override {
        decoded_reply reply;
        const json document = json::parse(body, nullptr, false);
        if (!document.is_object()) {
            reply.failure =
                make_failure(failure_kind::retriable, "malformed_body",
                             "the response body is not a JSON object: " + body_excerpt(body));
            return reply;
        }
        if (const auto error = describe_error(document)) {
            reply.failure = in_band_failure(*error);
            return reply;
        }
        if (const json* choice = first_choice(document)) {
            if (const json* message = object_at(*choice, "message")) {
                reply.text = string_field(*message, "content");
                reply.reasoning = reasoning_of(*message);
            }
            reply.finish_reason = string_field(*choice, "finish_reason");
        }
        reply.usage = usage_of(document);
        reply.complete = true;
        reply.failure = unusable_reply_failure(reply);
        return reply;
    }

    api_failure classify_error(int status, const header_list& headers,
                               std::string_view body) const override {
        api_failure failure = classify_status(status, headers);
        const auto error = describe_error(json::parse(body, nullptr, false));
        if (error) {
            failure.type = error->type;
            failure.message = error->message;
        }
        if (failure.message.empty()) {
            failure.message = body_excerpt(body);
        }
        if (failure.type.empty()) {
            failure.type = "http_" + std::to_string(status);
        }
        // An exhausted quota answers 429 too, but waiting seconds never refills it.
        if (failure.type == "insufficient_quota" && failure.kind == failure_kind::retriable) {
            failure.kind = failure_kind::final;
        }
        name_the_cache_option(failure, body);
        return failure;
    }
};

}  // namespace

std::unique_ptr<api_adapter> make_openai_adapter() {
    return std::make_unique<openai_adapter>();
}

}  // namespace polylogue::providers
