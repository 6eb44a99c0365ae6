#pragma once
// When a member that keeps failing is suspended, and when a suspended member is tried again:
// pure decisions from the room's settings, the member's folded state and the time. The schedule
// is written into the records (member_suspended: retry, retry_at), so a restart keeps it.

#include <chrono>
#include <optional>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

// The wait before retry number failed_retries + 1: cool_down doubled per failed retry, capped.
std::chrono::milliseconds cool_down_before(const config::suspension_settings& settings,
                                           int failed_retries);

// What a member_suspended record says: its text, and the retry that comes next (0: none).
struct suspension_step {
    std::string text;
    int retry = 0;
    std::string retry_at;  // RFC 3339; empty when retry is 0
};

// What follows a failed turn of member at now: a suspension (with its first retry), the next
// retry after a failed one, giving up, or nothing (nullopt) while the member is under the limit.
std::optional<suspension_step> after_failed_turn(const member_state& member,
                                                 const config::room& room,
                                                 std::chrono::system_clock::time_point now);

// "1m", "90s", "250ms": how long a cool-down is, for people.
std::string cool_down_text(std::chrono::milliseconds duration);

}  // namespace polylogue::room
