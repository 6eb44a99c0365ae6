#pragma once
// Who goes next. round_robin: in slot order, after the last slot whose turn came; a newcomer has
// the highest slot, so it speaks in the current round after the members already there. natural:
// an AI the newest message addresses, else a draw weighted by talkativeness among the others.
// random: each member once per round, in a drawn order. A next_speaker record's member goes
// first under every order. A suspended member takes its turn again once its retry is due; when
// nobody else can speak, the room waits for the first retry. Draws are seeded_draw's.

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
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

// A member that can take a turn at now: present, not out of replies, not suspended (or its
// retry is due). A muted one can: its turn is a skip.
bool can_speak_now(const member_state& member, std::chrono::system_clock::time_point now) noexcept;

// Pure. Call only for a room that has not ended. The room gives the limits (max_turns,
// max_cost_usd), the turn_order, the talkativeness and, with state.lineage, the seed; history is
// the room's records (natural reads its newest message). now decides which retries are due; the
// epoch has none due. selector and parallel decide here as natural and round_robin do: the
// runner asks the selector beforehand, and runs a parallel round itself.
turn_decision next_turn(const room_state& state, const config::room& room,
                        std::span<const core::record> history,
                        std::chrono::system_clock::time_point now);

// Round robin (after a requested member) with these limits (the order of a room without
// turn_order).
turn_decision next_turn(const room_state& state, int max_turns,
                        std::optional<double> max_cost_usd = std::nullopt,
                        std::chrono::system_clock::time_point now = {});

}  // namespace polylogue::room
