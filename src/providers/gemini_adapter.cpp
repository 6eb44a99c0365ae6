// Google Gemini API (generateContent / streamGenerateContent?alt=sse). Each SSE event is a whole
// GenerateContentResponse chunk and the stream has no end marker, so completeness is decided
// from the finishReason seen when the connection closes. Refusals arrive as 200 responses
// (a blockReason, a SAFETY finishReason, or a candidate with no text) and become "blocked".

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

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

constexpr std::array<std::string_view, 8> blocking_finish_reasons = {
    "SAFETY", "RECITATION", "BLOCKLIST",    "PROHIBITED_CONTENT",
    "SPII",   "OTHER",      "IMAGE_SAFETY", "LANGUAGE"};

// google.rpc status names worth another try when an error carries no HTTP code.
constexpr std::array<std::string_view, 4> retriable_statuses = {"RESOURCE_EXHAUSTED", "UNAVAILABLE",
                                                                "INTERNAL", "DEADLINE_EXCEEDED"};

template <std::size_t n>
bool contains(const std::array<std::string_view, n>& names, std::string_view name) {
    for (const std::string_view candidate : names) {
        if (candidate == name) {
            return true;
        }
    }
    return false;
}

// Only RFC 3986 unreserved characters pass: ':' would split the method off and '/' or '?'
// would change the path, so an odd model id can never reach another endpoint.
std::string model_path_segment(std::string_view model_id) {
    constexpr std::string_view prefix = "models/";
    if (model_id.substr(0, prefix.size()) == prefix) {
        model_id.remove_prefix(prefix.size());
    }
    constexpr std::string_view hex = "0123456789ABCDEF";
    std::string segment;
    for (const char c : model_id) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                                (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            segment += c;
        } else {
            segment += '%';
            segment += hex[byte >> 4];
            segment += hex[byte & 0x0F];
        }
    }
    return segment;
}

std::string error_info_reason(const json& error) {
    const json& details = member(error, "details");
    if (!details.is_array()) {
        return {};
    }
    for (const json& detail : details) {
        if (string_field(detail, "@type") == "type.googleapis.com/google.rpc.ErrorInfo") {
            return string_field(detail, "reason");
        }
    }
    return {};
}

// Fills type and message from {"code","message","status","details"}; a bad key is reported as
// a 400 INVALID_ARGUMENT, so only the ErrorInfo reason tells it apart from a bad request.
void describe_error(const json& error, api_failure& failure) {
    const std::string reason = error_info_reason(error);
    failure.type = reason.empty() ? string_field(error, "status") : reason;
    failure.message = string_field(error, "message");
    if (reason == "API_KEY_INVALID") {
        failure.kind = failure_kind::authentication;
    }
}

// An error inside a 200 stream: its code says whether it is worth retrying.
api_failure failure_in_stream(const json& error) {
    const json& code = member(error, "code");
    api_failure failure;
    if (code.is_number_integer()) {
        failure.kind = classify_status(code.get<int>(), {}).kind;
    } else {
        const bool retriable = contains(retriable_statuses, string_field(error, "status"));
        failure.kind = retriable ? failure_kind::retriable : failure_kind::final;
    }
    describe_error(error, failure);
    failure.http_status = 0;
    return failure;
}

api_failure blocked(std::string type, std::string message) {
    return api_failure{failure_kind::blocked, 0, std::move(type), std::move(message)};
}

api_failure retriable(std::string type, std::string message) {
    return api_failure{failure_kind::retriable, 0, std::move(type), std::move(message)};
}

class gemini_stream_decoder final : public stream_decoder {
  public:
    // A whole generateContent body is decoded as one chunk; only the failure names differ.
    explicit gemini_stream_decoder(bool whole_body = false) : whole_body_{whole_body} {}

    void on_event(const http::sse_event& event) override { on_chunk(event.data); }

    void on_chunk(std::string_view data) {
        if (reply_.failure) {
            return;  // the first failure settles the reply
        }
        const json chunk = json::parse(data, nullptr, false);
        if (chunk.is_discarded() || !chunk.is_object()) {
            reply_.failure = whole_body_ ? retriable("malformed_body", body_excerpt(data))
                                         : retriable("malformed_stream", "unparsable chunk");
            return;
        }
        if (member(chunk, "error").is_object()) {
            reply_.failure = failure_in_stream(member(chunk, "error"));
            return;
        }
        read_usage(member(chunk, "usageMetadata"));
        const std::string block_reason =
            string_field(member(chunk, "promptFeedback"), "blockReason");
        if (!block_reason.empty()) {
            reply_.complete = true;  // a block is the server's final word, not a cut
            reply_.failure = blocked(block_reason, "Gemini blocked the prompt: " + block_reason);
            return;
        }
        read_candidate(first_element(member(chunk, "candidates")));
    }

    void finish() override {
        if (reply_.failure) {
            return;
        }
        if (reply_.finish_reason.empty()) {
            reply_.failure =
                whole_body_ ? retriable("incomplete_body", "the response has no finishReason")
                            : retriable("stream_cut", "the stream ended without a finishReason");
            return;
        }
        reply_.complete = true;
        if (is_blank(reply_.text)) {
            reply_.failure = blocked("empty_candidate", "Gemini returned no text (finishReason " +
                                                            reply_.finish_reason + ")");
        }
    }

    std::string take_new_text() override {
        std::string fresh = reply_.text.substr(taken_);
        taken_ = reply_.text.size();
        return fresh;
    }

    const decoded_reply& reply() const override { return reply_; }

  private:
    // Only the first candidate is read: others would be alternative answers, not continuations.
    void read_candidate(const json& candidate) {
        const json& parts = member(member(candidate, "content"), "parts");
        if (parts.is_array()) {
            for (const json& part : parts) {
                const bool thought = member(part, "thought") == true;
                (thought ? reply_.reasoning : reply_.text) += string_field(part, "text");
            }
        }
        const std::string reason = string_field(candidate, "finishReason");
        if (reason.empty() || reason == "FINISH_REASON_UNSPECIFIED") {
            return;
        }
        reply_.finish_reason = reason;
        if (contains(blocking_finish_reasons, reason)) {
            reply_.complete = true;
            reply_.failure = blocked(reason, "Gemini stopped the answer: " + reason);
        }
    }

    // usageMetadata is cumulative and repeated, sometimes partially: the last value of each
    // field wins.
    void read_usage(const json& usage) {
        if (!usage.is_object()) {
            return;
        }
        token_usage merged = reply_.usage.value_or(token_usage{});
        const auto count = [&usage](const char* name) {
            return token_count_of(member(usage, name));
        };
        merged.input_tokens = count("promptTokenCount").value_or(merged.input_tokens);
        cached_ = count("cachedContentTokenCount").value_or(cached_);
        const auto candidates = count("candidatesTokenCount");
        const auto thoughts = count("thoughtsTokenCount");
        if (candidates || thoughts) {
            merged.output_tokens = candidates.value_or(0) + thoughts.value_or(0);
        }
        // Part of promptTokenCount (implicit caching): believed up to the whole, whichever
        // chunk brought which count.
        merged.cached_input_tokens = std::min(cached_, merged.input_tokens);
        reply_.usage = merged;
    }

    bool whole_body_;
    decoded_reply reply_;
    std::int64_t cached_ = 0;  // cachedContentTokenCount as last reported
    std::size_t taken_ = 0;
};

class gemini_adapter final : public api_adapter {
  public:
    http_call build_request(const api_request& request,
                            const endpoint_settings& endpoint) const override {
        http_call call;
        call.target = "/v1beta/models/" + model_path_segment(request.model_id) +
                      (request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
        call.headers = json_request_headers(key_header("x-goog-api-key", endpoint.api_key),
                                            endpoint.extra_headers);
        call.body = gemini_request_body(request);
        return call;
    }

    std::unique_ptr<stream_decoder> make_stream_decoder() const override {
        return std::make_unique<gemini_stream_decoder>();
    }

    decoded_reply decode_body(std::string_view body) const override {
        gemini_stream_decoder decoder{true};
        decoder.on_chunk(body);
        decoder.finish();
        return decoder.reply();
    }

    api_failure classify_error(int status, const header_list& headers,
                               std::string_view body) const override {
        api_failure failure = classify_status(status, headers);
        json data = json::parse(body, nullptr, false);
        // Without alt=sse, streamGenerateContent wraps its error in a one-element array.
        const json& error = member(data.is_array() ? first_element(data) : data, "error");
        if (error.is_object()) {
            describe_error(error, failure);
        } else {
            failure.message = body_excerpt(body);
        }
        if (failure.type.empty()) {
            failure.type = "http_" + std::to_string(status);
        }
        return failure;
    }
};

}  // namespace

std::unique_ptr<api_adapter> make_gemini_adapter() {
    return std::make_unique<gemini_adapter>();
}

}  // namespace polylogue::providers
