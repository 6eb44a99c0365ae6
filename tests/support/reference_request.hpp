#pragma once
// The request path as it was before rendering became incremental, kept as a test oracle: the
// renderer producing plain text turns and each adapter building an nlohmann::json DOM dumped
// with UTF-8 replacement. The production path (render cache, json_text, bodies assembled by
// concatenation) must produce the same JSON (tests/unit/request_equivalence_test.cpp). Rules
// added since are written here in the DOM way too: a request ends on a user turn.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::test {

struct plain_turn {
    providers::turn_role role = providers::turn_role::user;
    std::string text;
};

struct plain_conversation {
    std::string system;
    std::vector<plain_turn> turns;
};

struct plain_request {
    std::string model_id = "some/model";
    plain_conversation messages;
    std::optional<double> temperature;
    int max_tokens = 1024;
    bool stream = true;
};

enum class api_kind { openai, anthropic, gemini };

// The body the DOM-based adapter of that kind built.
std::string reference_body(api_kind kind, const plain_request& request,
                           const providers::endpoint_settings& endpoint);

// The same request for today's adapters.
providers::api_request to_api_request(const plain_request& request);

struct plain_view {
    plain_conversation conversation;
    std::size_t estimated_tokens = 0;
    std::size_t dropped = 0;
    std::int64_t trimmed_from_seq = 0;
};

// render_within as docs/config.md ("context windows") says, plainly: text turns, no cache.
plain_view reference_render(const config::room& room, const room::room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens);

}  // namespace polylogue::test
