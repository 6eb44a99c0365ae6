#pragma once
// Who goes next: round robin in slot order, after the last slot whose turn came. A newcomer has
// the highest slot, so it speaks in the current round after the members already there.

#include <optional>
#include <string>

#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

struct turn_decision {
    enum class kind {
        speak,  // slot speaks
        skip,   // slot is muted: it sits out this turn
        end,    // the room ends; reason says why
    };
    kind what = kind::end;
    int slot = 0;
    std::string reason;
};

// Pure. Call only for a room that has not ended.
turn_decision next_turn(const room_state& state, int max_turns,
                        std::optional<double> max_cost_usd = std::nullopt);

}  // namespace polylogue::room
