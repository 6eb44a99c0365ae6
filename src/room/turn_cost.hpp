#pragma once
// What the next turn can cost at most, known before its provider call: pure. The room's
// max_cost_usd and the daemon's budget_usd_per_day are checked against it, so that a turn never
// takes either past its limit (docs/config.md, "Budgets").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

struct turn_cost_bound {
    double usd = 0;                 // tokens and tools together
    std::size_t prompt_tokens = 0;  // the renderer's estimate of the request
    int max_tokens = 0;
    bool priced = false;    // the model has a price: the tokens count
    int tool_calls = 0;     // the priced tool calls the reply could make (0: no priced tool)
    double tool_price = 0;  // per call: the dearest of the room's tools
};

// The prompt at the model's input price, a reply of max_tokens at its output price, and, when
// the room has priced tools, as many calls of the dearest one as a reply may carry out.
turn_cost_bound worst_case_cost(const config::config& cfg, const config::room& room,
                                const config::model& model, std::size_t prompt_tokens);

// "up to $0.0123 (about 1234 prompt tokens and 1024 max_tokens at its price, and 8 tool calls
// at $0.0400)".
std::string describe_bound(const turn_cost_bound& bound);

// The room_ended reason when speaker's turn (e.g. "AI-2 (Claude Opus 4.5)") could take the room
// past its max_cost_usd; nullopt when it fits, or the room has no cap.
std::optional<std::string> room_cap_refusal(const room_state& state, const config::room& room,
                                            const turn_cost_bound& bound, std::string_view speaker);

// The text of the paused record when the daily budget refused speaker's turn; resume_at is
// when the room resumes by itself.
std::string budget_pause_text(const daily_budget::verdict& verdict, const turn_cost_bound& bound,
                              std::string_view speaker, std::string_view resume_at);

// A reply's tokens and their cost at model's price (none without one) on the record that
// carries it, a message or the selector's next_speaker: the cached and written parts only when
// the provider reported some, so that a record says what was cached.
void note_usage(core::record& r, const providers::token_usage& usage, const config::model* model);

// "$0.0123", or "$12.50" from a dollar up.
std::string usd(double value);

}  // namespace polylogue::room
