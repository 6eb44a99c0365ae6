#include "polylogue/room/turn_decision.hpp"

#include <algorithm>
#include <cstdio>

namespace polylogue::room {
namespace {

turn_decision ending(std::string reason) {
    return {turn_decision::kind::end, 0, std::move(reason)};
}

}  // namespace

turn_decision next_turn(const room_state& state, int max_turns,
                        std::optional<double> max_cost_usd) {
    if (state.ai_turns >= max_turns) {
        return ending("reached max_turns (" + std::to_string(max_turns) + " AI turns)");
    }
    if (max_cost_usd && state.cost_usd >= *max_cost_usd) {
        char spent[64];
        std::snprintf(spent, sizeof spent, "reached max_cost_usd ($%.4f spent of $%.2f)",
                      state.cost_usd, *max_cost_usd);
        return ending(spent);
    }
    const auto can_speak = [](const member_state& m) { return !m.exhausted && !m.suspended; };
    const auto active = std::count_if(state.members.begin(), state.members.end(), can_speak);
    if (active == 0) {
        return ending(state.members.empty() ? "the room has no members"
                                            : "no member can speak: every member has run out "
                                              "of replies or is suspended");
    }
    const bool all_muted =
        std::all_of(state.members.begin(), state.members.end(),
                    [](const member_state& m) { return m.exhausted || m.muted; });
    if (all_muted) {
        return ending("no member can speak: every remaining member muted itself");
    }
    const int count = static_cast<int>(state.members.size());
    for (int step = 1; step <= count; ++step) {
        const int slot = (state.last_speaker + step - 1) % count + 1;
        const member_state& candidate = *state.member(slot);
        if (!can_speak(candidate)) {
            continue;
        }
        return {candidate.muted ? turn_decision::kind::skip : turn_decision::kind::speak, slot, {}};
    }
    return ending("no member can speak");  // unreachable while active > 0
}

}  // namespace polylogue::room
