#include "polylogue/room/turn_decision.hpp"

#include <algorithm>
#include <cstdio>

namespace polylogue::room {
namespace {

using time_point = std::chrono::system_clock::time_point;

turn_decision decided(turn_decision::kind what, int slot, std::string reason = {}) {
    turn_decision decision;
    decision.what = what;
    decision.slot = slot;
    decision.reason = std::move(reason);
    return decision;
}

turn_decision ending(std::string reason, std::string failure = {}) {
    turn_decision end = decided(turn_decision::kind::end, 0, std::move(reason));
    end.failure = std::move(failure);
    return end;
}

// A member that has a turn to come: not out of replies, and not suspended for good.
bool speaks_again(const member_state& m) {
    return !m.exhausted && !m.left && (!m.suspended || m.retry_at.has_value());
}

bool speaks_now(const member_state& m, time_point now) {
    return !m.exhausted && !m.left && (!m.suspended || (m.retry_at && *m.retry_at <= now));
}

// Why nobody will speak again.
turn_decision nobody_left(const room_state& state) {
    if (state.present() == 0) {
        return ending("the room has no members");
    }
    const bool any_suspended = std::any_of(state.members.begin(), state.members.end(),
                                           [](const member_state& m) { return m.suspended; });
    if (!any_suspended) {
        return ending("no member can speak: every member has run out of replies");
    }
    return ending(
        "no member can speak: every member has run out of replies or is suspended with no "
        "retry left; an operator can resume the room",
        "members_failed");
}

time_point first_retry(const room_state& state) {
    time_point first = time_point::max();
    for (const auto& m : state.members) {
        if (!m.exhausted && m.suspended && m.retry_at) {
            first = std::min(first, *m.retry_at);
        }
    }
    return first;
}

}  // namespace

turn_decision next_turn(const room_state& state, int max_turns, std::optional<double> max_cost_usd,
                        time_point now) {
    if (state.ai_turns >= max_turns) {
        return ending("reached max_turns (" + std::to_string(max_turns) + " AI turns)");
    }
    if (max_cost_usd && state.cost_usd >= *max_cost_usd) {
        char spent[64];
        std::snprintf(spent, sizeof spent, "reached max_cost_usd ($%.4f spent of $%.2f)",
                      state.cost_usd, *max_cost_usd);
        return ending(spent);
    }
    if (std::none_of(state.members.begin(), state.members.end(), speaks_again)) {
        return nobody_left(state);
    }
    const bool all_muted =
        std::all_of(state.members.begin(), state.members.end(),
                    [](const member_state& m) { return m.exhausted || m.left || m.muted; });
    if (all_muted) {
        return ending("no member can speak: every remaining member muted itself");
    }
    const int count = static_cast<int>(state.members.size());
    for (int step = 1; step <= count; ++step) {
        const int slot = (state.last_speaker + step - 1) % count + 1;
        const member_state& candidate = *state.member(slot);
        if (!speaks_now(candidate, now)) {
            continue;
        }
        return decided(candidate.muted ? turn_decision::kind::skip : turn_decision::kind::speak,
                       slot);
    }
    turn_decision wait =
        decided(turn_decision::kind::wait, 0, "every member that can speak is suspended");
    wait.until = first_retry(state);
    return wait;
}

}  // namespace polylogue::room
