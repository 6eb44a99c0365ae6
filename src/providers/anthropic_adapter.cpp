// Anthropic Messages API (POST /v1/messages). The API insists on strictly alternating roles
// starting with "user", so the room's conversation is reshaped for it (write_alternating in
// request_body.cpp, shared with Gemini): adjacent same-role turns are merged and a short
// orchestrator notice leads when the speaker's own turn comes first.

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

constexpr std::array<std::string_view, 4> retriable_error_types = {
    "overloaded_error", "api_error", "rate_limit_error", "timeout_error"};

// The usage counts as last reported: message_start carries them all, message_delta may repeat
// any of them (cumulative), so each keeps its latest believable value.
struct usage_counts {
    std::optional<std::int64_t> uncached_input;  // input_tokens: the prompt after the cache
    std::optional<std::int64_t> cache_read;      // cache_read_input_tokens
    std::optional<std::int64_t> cache_write;     // cache_creation_input_tokens
    std::optional<std::int64_t> output;
};

void merge_count(const json& usage, const char* name, std::optional<std::int64_t>& count) {
    if (const auto reported = token_count_of(member(usage, name))) {
        count = reported;
    }
}

// input_tokens leaves out cache reads and writes; the room's accounting wants the whole prompt,
// with the two as parts of it.
void apply_usage(const json& usage, usage_counts& counts, decoded_reply& reply) {
    if (!usage.is_object()) {
        return;
    }
    merge_count(usage, "input_tokens", counts.uncached_input);
    merge_count(usage, "cache_read_input_tokens", counts.cache_read);
    merge_count(usage, "cache_creation_input_tokens", counts.cache_write);
    merge_count(usage, "output_tokens", counts.output);
    token_usage merged;
    merged.cached_input_tokens = counts.cache_read.value_or(0);
    merged.cache_write_tokens = counts.cache_write.value_or(0);
    merged.input_tokens =
        counts.uncached_input.value_or(0) + merged.cached_input_tokens + merged.cache_write_tokens;
    merged.output_tokens = counts.output.value_or(0);
    reply.usage = merged;
}

// {"type":"error","error":{"type":...,"message":...}}, as an SSE event or a whole body.
api_failure failure_from_error(const json& error, int http_status) {
    api_failure failure;
    failure.http_status = http_status;
    failure.type = string_field(error, "type");
    failure.message = string_field(error, "message");
    bool retriable = false;
    for (const std::string_view type : retriable_error_types) {
        retriable = retriable || failure.type == type;
    }
    failure.kind = retriable ? failure_kind::retriable : failure_kind::final;
    return failure;
}

api_failure stream_failure(std::string type, std::string message) {
    return api_failure{failure_kind::retriable, 0, std::move(type), std::move(message)};
}

// The end of a stream or body: a reply without its end marker is retried; a refusal is the
// model declining to answer, which a retry of the same prompt would not change.
void settle(decoded_reply& reply) {
    if (reply.failure) {
        return;
    }
    if (!reply.complete) {
        reply.failure = stream_failure("stream_cut", "the stream ended before message_stop");
    } else if (reply.finish_reason == "refusal") {
        reply.failure = api_failure{failure_kind::blocked, 0, "refusal",
                                    "the model declined to answer (stop_reason: refusal)"};
    }
}

// A whole message's content blocks; redacted thinking and tool use are not chat text.
void read_content(const json& content, decoded_reply& reply) {
    if (!content.is_array()) {
        return;
    }
    for (const json& block : content) {
        const std::string type = string_field(block, "type");
        if (type == "text") {
            reply.text += string_field(block, "text");
        } else if (type == "thinking") {
            reply.reasoning += string_field(block, "thinking");
        }
    }
}

class anthropic_stream_decoder final : public stream_decoder {
  public:
    void on_event(const http::sse_event& event) override {
        if (reply_.failure || reply_.complete) {
            return;  // the first failure or the end marker settles the reply
        }
        json data = json::parse(event.data, nullptr, false);
        if (data.is_discarded() || !data.is_object()) {
            reply_.failure = stream_failure("malformed_stream", "unparsable event: " + event.event);
            return;
        }
        dispatch(data);
    }

    void finish() override { settle(reply_); }

    std::string take_new_text() override {
        std::string fresh = reply_.text.substr(taken_);
        taken_ = reply_.text.size();
        return fresh;
    }

    const decoded_reply& reply() const override { return reply_; }

  private:
    // The type inside the data is authoritative; a proxy may drop the SSE event names.
    void dispatch(const json& data) {
        const std::string type = string_field(data, "type");
        if (type == "message_start") {
            apply_usage(member(member(data, "message"), "usage"), usage_, reply_);
        } else if (type == "content_block_delta") {
            on_delta(member(data, "delta"));
        } else if (type == "message_delta") {
            const std::string reason = string_field(member(data, "delta"), "stop_reason");
            if (!reason.empty()) {
                reply_.finish_reason = reason;
            }
            apply_usage(member(data, "usage"), usage_, reply_);
        } else if (type == "message_stop") {
            reply_.complete = true;
        } else if (type == "error") {
            reply_.failure = failure_from_error(member(data, "error"), 0);
        }
        // content_block_start/stop, ping and event types added later carry nothing we keep.
    }

    void on_delta(const json& delta) {
        const std::string type = string_field(delta, "type");
        if (type == "text_delta") {
            reply_.text += string_field(delta, "text");
        } else if (type == "thinking_delta") {
            reply_.reasoning += string_field(delta, "thinking");
        }
        // signature_delta and tool input deltas are not part of a chat message.
    }

    decoded_reply reply_;
    usage_counts usage_;
    std::size_t taken_ = 0;
};

class anthropic_adapter final : public api_adapter {
  public:
    http_call build_request(const api_request& request,
                            const endpoint_settings& endpoint) const override {
        http_call call;
        call.target = "/v1/messages";
        header_list own = key_header("x-api-key", endpoint.api_key);
        own.emplace_back("anthropic-version", endpoint.anthropic_version);
        call.headers = json_request_headers(std::move(own), endpoint.extra_headers);
        call.body = anthropic_request_body(request);
        return call;
    }

    std::unique_ptr<stream_decoder> make_stream_decoder() const override {
        return std::make_unique<anthropic_stream_decoder>();
    }

    decoded_reply decode_body(std::string_view body) const override {
        decoded_reply reply;
        const json data = json::parse(body, nullptr, false);
        if (data.is_discarded() || !data.is_object()) {
            reply.failure = stream_failure("malformed_body", body_excerpt(body));
            return reply;
        }
        if (string_field(data, "type") == "error") {
            reply.failure = failure_from_error(member(data, "error"), 0);
            return reply;
        }
        read_content(member(data, "content"), reply);
        usage_counts counts;
        apply_usage(member(data, "usage"), counts, reply);
        reply.finish_reason = string_field(data, "stop_reason");
        reply.complete = true;
        settle(reply);
        return reply;
    }

    api_failure classify_error(int status, const header_list& headers,
                               std::string_view body) const override {
        api_failure failure = classify_status(status, headers);
        const json data = json::parse(body, nullptr, false);
        const json* error = member(data, "error").is_object() ? &member(data, "error") : nullptr;
        failure.type = error ? string_field(*error, "type") : std::string{};
        failure.message = error ? string_field(*error, "message") : std::string{};
        if (failure.type.empty()) {
            failure.type = "http_" + std::to_string(status);
        }
        if (!error) {
            failure.message = body_excerpt(body);
        }
        return failure;
    }
};

}  // namespace

std::unique_ptr<api_adapter> make_anthropic_adapter() {
    return std::make_unique<anthropic_adapter>();
}

}  // namespace polylogue::providers
