#pragma once
// An API adapter is pure: it builds the HTTP request for one turn, decodes the streamed events
// (or a whole body) into a reply, and explains an error response. The shared HTTP client does
// every byte of I/O; the http_provider runs adapter + client + retries. A new API is a new file.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/http/sse_parser.hpp"
#include "polylogue/providers/conversation.hpp"

namespace polylogue::providers {

using header_list = std::vector<std::pair<std::string, std::string>>;

// What the endpoint's configuration says, with the API key already read from its variable.
struct endpoint_settings {
    std::string base_url;       // e.g. "https://openrouter.ai/api/v1", no trailing slash
    std::string api_key;        // may be empty (Ollama, llama.cpp)
    header_list extra_headers;  // e.g. OpenRouter's HTTP-Referer / X-Title
    // openai: which field carries the token limit: "max_tokens" (most compatible servers) or
    // "max_completion_tokens" (OpenAI itself).
    std::string max_tokens_field = "max_tokens";
    std::string anthropic_version = "2023-06-01";  // anthropic only
};

// Prompt caching (docs/config.md, `cache`). Off, a request carries none of the fields.
struct cache_hints {
    bool enabled = false;  // anthropic: cache_control breakpoints; openai: prompt_cache_key
    std::string key;       // openai's prompt_cache_key: stable per room and member
};

struct api_request {
    std::string model_id;  // the provider's model id, e.g. "anthropic/claude-opus-4.5"
    conversation messages;
    cache_hints cache;
    std::optional<double> temperature;  // nullopt: never send the field
    int max_tokens = 1024;
    bool stream = true;
};

// Everything the HTTP client needs. target is appended to base_url's path, e.g.
// "/chat/completions" or "/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse".
struct http_call {
    std::string method = "POST";
    std::string target;
    header_list headers;  // including auth and content-type
    std::string body;     // JSON
};

// What a reply cost in tokens. input_tokens is the whole prompt, whatever the API calls it;
// cached_input_tokens (read from the provider's prompt cache) and cache_write_tokens (written to
// it) are parts of it, never added to it.
struct token_usage {
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::int64_t cached_input_tokens = 0;
    std::int64_t cache_write_tokens = 0;
};

enum class failure_kind {
    retriable,       // try again after a backoff (429, 5xx, 529, overloaded, cut-off stream...)
    final,           // do not retry (400, 404, 413, 422...)
    authentication,  // bad or missing key (401, 403, Gemini's API_KEY_INVALID): never retried
    blocked,         // the model refused to answer (safety block, empty candidate)
    exhausted,       // a scripted model has no replies left: it will never answer again
};

std::string_view to_string(failure_kind kind) noexcept;

struct api_failure {
    failure_kind kind = failure_kind::final;
    int http_status = 0;  // 0 when the failure came inside a 200 stream or from the network
    std::string type;     // the provider's error type/code, e.g. "overloaded_error"
    std::string message;  // the provider's message (secrets are redacted by the caller)
    int attempts = 1;     // how many tries the provider made before giving up
};

struct decoded_reply {
    std::string text;       // the reply, without reasoning
    std::string reasoning;  // thinking/reasoning content, kept apart
    std::optional<token_usage> usage;
    std::string finish_reason;
    std::optional<api_failure> failure;  // an error event inside the stream, a block...
    bool complete = false;               // the stream reached its proper end
};

// Decodes one response's events as they arrive. After the last event, finish() decides whether
// the reply is complete (a stream cut off before its end marker is a retriable failure).
class stream_decoder {
  public:
    virtual ~stream_decoder() = default;
    virtual void on_event(const http::sse_event& event) = 0;
    // Called when the connection closed or the body ended; fills failure when the stream
    // ended too early or delivered nothing usable.
    virtual void finish() = 0;
    // Text that arrived since the last call (for the live token stream).
    virtual std::string take_new_text() = 0;
    virtual const decoded_reply& reply() const = 0;
};

class api_adapter {
  public:
    virtual ~api_adapter() = default;
    virtual http_call build_request(const api_request& request,
                                    const endpoint_settings& endpoint) const = 0;
    virtual std::unique_ptr<stream_decoder> make_stream_decoder() const = 0;
    // A whole (non-streamed) 200 body.
    virtual decoded_reply decode_body(std::string_view body) const = 0;
    // An error response: status, headers (names lower-case) and body, which may not be JSON.
    virtual api_failure classify_error(int status, const header_list& headers,
                                       std::string_view body) const = 0;
};

std::unique_ptr<api_adapter> make_openai_adapter();
std::unique_ptr<api_adapter> make_anthropic_adapter();
std::unique_ptr<api_adapter> make_gemini_adapter();

// Shared by every adapter: retriable (408, 409, 429, 500, 502, 503, 504, 529, or
// `x-should-retry: true`) or final (anything else, or `x-should-retry: false`); 401/403 are
// authentication failures. type and message are left for the adapter to fill from the body.
api_failure classify_status(int status, const header_list& headers);

}  // namespace polylogue::providers
