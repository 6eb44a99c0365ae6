#pragma once
// Who goes next: round robin in slot order, after the last slot whose turn came. A newcomer has
// the highest slot, so it speaks in the current round after the members already there. A
// suspended member takes its turn again once its retry is due; when nobody else can speak, the
// room waits for the first retry.

#include <chrono>
#include <optional>
#include <string>

#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

struct turn_decision {
    enum class kind {
        speak,  // slot speaks (a suspended member: its retry)
        skip,   // slot is muted: it sits out this turn
        wait,   // every member that can still speak is suspended: nothing until `until`
        end,    // the room ends; reason says why
    };
    kind what = kind::end;
    int slot = 0;
    std::string reason;
    std::string failure;  // end: "members_failed" when the room ends because its members failed
    std::chrono::system_clock::time_point until;  // wait: when the first retry is due
};

// Pure. Call only for a room that has not ended. now decides which retries are due; the
// default (the epoch) has none due.
turn_decision next_turn(const room_state& state, int max_turns,
                        std::optional<double> max_cost_usd = std::nullopt,
                        std::chrono::system_clock::time_point now = {});

}  // namespace polylogue::room
