#pragma once
// Who takes part in a round of turn_order parallel: pure (docs/config.md, "turn_order").

#include <chrono>
#include <vector>

#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

struct round_seat {
    int slot = 0;
    bool skip = false;  // muted: it sits out this round (a skip record), taking no turn
};

// Every member that can speak now (a suspended one once its retry is due), in slot order
// starting after the slot whose turn came last, as round robin goes on (after a whole round,
// from AI-1). At most turns_left of them speak: a round that max_turns cuts short takes the
// first ones in that order. Muted members come as skips and take no turn.
std::vector<round_seat> parallel_round(const room_state& state, int turns_left,
                                       std::chrono::system_clock::time_point now);

}  // namespace polylogue::room
