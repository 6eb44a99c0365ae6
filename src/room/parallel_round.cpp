#include "room/parallel_round.hpp"

namespace polylogue::room {

std::vector<round_seat> parallel_round(const room_state& state, int turns_left,
                                       std::chrono::system_clock::time_point now) {
    std::vector<round_seat> seats;
    const int count = static_cast<int>(state.members.size());
    for (int step = 1; step <= count && turns_left > 0; ++step) {
        const int slot = (state.last_speaker + step - 1) % count + 1;
        const member_state& m = *state.member(slot);
        const bool retry_due = m.retry_at && *m.retry_at <= now;
        if (m.exhausted || m.left || (m.suspended && !retry_due)) {
            continue;
        }
        seats.push_back({slot, m.muted});
        if (!m.muted) {
            --turns_left;
        }
    }
    return seats;
}

}  // namespace polylogue::room
