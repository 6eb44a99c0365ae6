#pragma once
// The body of the three adapter targets: one input is a streamed response (decoded through the
// SSE parser, cut at a point the input chooses), a whole 200 body and an error body. Whatever
// the bytes, each decoder must settle on a reply the room can act on.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "polylogue/http/sse_parser.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "providers/token_count.hpp"

namespace polylogue::fuzz {

namespace providers = polylogue::providers;

inline bool known_kind(providers::failure_kind kind) {
    switch (kind) {
        case providers::failure_kind::retriable:
        case providers::failure_kind::final:
        case providers::failure_kind::authentication:
        case providers::failure_kind::blocked:
        case providers::failure_kind::exhausted:
            return true;
    }
    return false;
}

// What finish() promises: a reply is either complete or explained by a failure.
inline void check_settled(const providers::decoded_reply& reply) {
    check(reply.complete || reply.failure.has_value(), "an incomplete reply carries a failure");
    if (reply.failure) {
        check(known_kind(reply.failure->kind), "a failure has a known kind");
    }
    // Anthropic adds three counts up; the room then sums and prices them over every turn.
    constexpr std::int64_t most = 3 * providers::max_token_count;
    if (reply.usage) {
        check(reply.usage->input_tokens >= 0 && reply.usage->input_tokens <= most &&
                  reply.usage->output_tokens >= 0 && reply.usage->output_tokens <= most,
              "token counts are believable");
        check(reply.usage->cached_input_tokens >= 0 && reply.usage->cache_write_tokens >= 0 &&
                  reply.usage->cached_input_tokens + reply.usage->cache_write_tokens <=
                      reply.usage->input_tokens,
              "cache reads and writes are parts of the prompt");
    }
}

// The live token stream (take_new_text after every event) adds up to the final text.
inline void fuzz_stream(const providers::api_adapter& adapter, std::string_view text) {
    const auto decoder = adapter.make_stream_decoder();
    std::string streamed;
    http::sse_parser parser{[&](const http::sse_event& event) {
        decoder->on_event(event);
        streamed += decoder->take_new_text();
    }};
    const std::size_t cut = split_point(text);
    parser.feed(text.substr(0, cut));
    parser.feed(text.substr(cut));
    parser.finish();
    decoder->finish();
    streamed += decoder->take_new_text();
    check(streamed == decoder->reply().text, "the streamed pieces add up to the reply");
    check(decoder->take_new_text().empty(), "nothing is handed out twice");
    check_settled(decoder->reply());
}

// One status per input, chosen by the input (one parse per run keeps the fuzzer fast).
inline void fuzz_error_body(const providers::api_adapter& adapter, std::string_view body) {
    constexpr std::array statuses{400, 401, 403, 404, 413, 429, 500, 503, 529};
    const std::size_t choice = split_point(body);
    const int status = statuses[choice % statuses.size()];
    const bool refuse_retry = (choice / statuses.size()) % 2 == 1;
    providers::header_list headers;
    if (refuse_retry) {
        headers.emplace_back("X-Should-Retry", "false");
    }
    const providers::api_failure failure = adapter.classify_error(status, headers, body);
    check(failure.http_status == status, "the failure keeps the status");
    check(!failure.type.empty(), "an error response always gets a type");
    check(known_kind(failure.kind), "a failure has a known kind");
    if (status == 401 || status == 403) {
        check(failure.kind == providers::failure_kind::authentication, "401/403 are auth");
    }
    if (refuse_retry) {
        check(failure.kind != providers::failure_kind::retriable, "x-should-retry: false wins");
    }
}

inline void fuzz_adapter(const providers::api_adapter& adapter, std::string_view text) {
    fuzz_stream(adapter, text);
    check_settled(adapter.decode_body(text));
    fuzz_error_body(adapter, text);
}

}  // namespace polylogue::fuzz
