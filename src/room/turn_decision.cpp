#include "polylogue/room/turn_decision.hpp"

#include <algorithm>
#include <cstdio>

#include "room/addressees.hpp"
#include "room/seeded_draw.hpp"

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

// Why the room ends before anyone is chosen; nullopt: someone may speak.
std::optional<turn_decision> stop_before(const room_state& state, int max_turns,
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
    if (std::none_of(state.members.begin(), state.members.end(), speaks_again)) {
        return nobody_left(state);
    }
    const bool all_muted =
        std::all_of(state.members.begin(), state.members.end(),
                    [](const member_state& m) { return m.exhausted || m.left || m.muted; });
    if (all_muted) {
        return ending("no member can speak: every remaining member muted itself");
    }
    return std::nullopt;
}

std::optional<int> round_robin_pick(const room_state& state, time_point now) {
    const int count = static_cast<int>(state.members.size());
    for (int step = 1; step <= count; ++step) {
        const int slot = (state.last_speaker + step - 1) % count + 1;
        if (speaks_now(*state.member(slot), now)) {
            return slot;
        }
    }
    return std::nullopt;
}

std::vector<int> speaking_now(const room_state& state, time_point now) {
    std::vector<int> slots;
    for (const auto& m : state.members) {
        if (speaks_now(m, now)) {
            slots.push_back(m.slot);
        }
    }
    return slots;
}

seeded_draw draw_for(const room_state& state, const config::room& room) {
    return seeded_draw{state.lineage.empty() ? std::string_view{room.name} : state.lineage,
                       state.draw_seq()};
}

// The first AI the newest message names that can speak now, other than its author.
std::optional<int> addressed(const room_state& state, std::span<const core::record> history,
                             time_point now) {
    const auto newest = std::find_if(history.rbegin(), history.rend(), [](const core::record& r) {
        return r.type == core::record_type::message;
    });
    if (newest == history.rend()) {
        return std::nullopt;
    }
    // An address is answered by the turn after it: once an AI's turn came (sat out, failed),
    // the room draws again rather than going back to the same member.
    const bool turn_came = std::any_of(history.rbegin(), newest, [](const core::record& r) {
        return r.type == core::record_type::skip || r.type == core::record_type::turn_failed ||
               r.type == core::record_type::member_exhausted;
    });
    if (turn_came) {
        return std::nullopt;
    }
    std::vector<addressable> present;
    for (const auto& m : state.members) {
        if (!m.left) {
            present.push_back({m.slot, m.model});
        }
    }
    const int author = core::slot_from_label(newest->speaker);
    for (const int slot : addressees(newest->text, present)) {
        if (slot != author && speaks_now(*state.member(slot), now)) {
            return slot;
        }
    }
    return std::nullopt;
}

std::optional<int> natural_pick(const room_state& state, const config::room& room,
                                std::span<const core::record> history, time_point now) {
    if (const auto slot = addressed(state, history, now)) {
        return slot;
    }
    const std::vector<int> able = speaking_now(state, now);
    std::vector<int> others;
    std::vector<double> weights;
    for (const int slot : able) {
        if (slot != state.last_speaker) {
            others.push_back(slot);
            weights.push_back(room.talkativeness_of(state.member(slot)->model));
        }
    }
    if (others.empty()) {
        return able.empty() ? std::nullopt : std::optional<int>{able.front()};
    }
    return others[draw_for(state, room).weighted(weights)];
}

// Those whose turn has not come this round; once none is left, a new round among all that
// can speak (not opening with the last speaker when another can).
std::optional<int> random_pick(const room_state& state, const config::room& room, time_point now) {
    const std::vector<int> able = speaking_now(state, now);
    std::vector<int> pool;
    for (const int slot : able) {
        if (std::find(state.round_taken.begin(), state.round_taken.end(), slot) ==
            state.round_taken.end()) {
            pool.push_back(slot);
        }
    }
    if (pool.empty()) {
        for (const int slot : able) {
            if (slot != state.last_speaker || able.size() == 1) {
                pool.push_back(slot);
            }
        }
    }
    if (pool.empty()) {
        return std::nullopt;
    }
    return pool[draw_for(state, room).uniform(pool.size())];
}

std::optional<int> requested(const room_state& state, time_point now) {
    const member_state* wanted = state.member(state.requested_next);
    if (wanted != nullptr && speaks_now(*wanted, now)) {
        return wanted->slot;
    }
    return std::nullopt;
}

turn_decision chosen(const room_state& state, std::optional<int> slot) {
    if (!slot) {
        turn_decision wait =
            decided(turn_decision::kind::wait, 0, "every member that can speak is suspended");
        wait.until = first_retry(state);
        return wait;
    }
    return decided(
        state.member(*slot)->muted ? turn_decision::kind::skip : turn_decision::kind::speak, *slot);
}

}  // namespace

bool can_speak_now(const member_state& member, time_point now) noexcept {
    return speaks_now(member, now);
}

turn_decision next_turn(const room_state& state, const config::room& room,
                        std::span<const core::record> history, time_point now) {
    if (auto stop = stop_before(state, room.max_turns, room.max_cost_usd)) {
        return std::move(*stop);
    }
    if (const auto slot = requested(state, now)) {
        return chosen(state, slot);
    }
    switch (room.turn_order) {
        case config::turn_order::natural:
        case config::turn_order::selector:
            return chosen(state, natural_pick(state, room, history, now));
        case config::turn_order::random:
            return chosen(state, random_pick(state, room, now));
        case config::turn_order::round_robin:
        case config::turn_order::parallel:
            break;
    }
    return chosen(state, round_robin_pick(state, now));
}

turn_decision next_turn(const room_state& state, int max_turns, std::optional<double> max_cost_usd,
                        time_point now) {
    if (auto stop = stop_before(state, max_turns, max_cost_usd)) {
        return std::move(*stop);
    }
    if (const auto slot = requested(state, now)) {
        return chosen(state, slot);
    }
    return chosen(state, round_robin_pick(state, now));
}

}  // namespace polylogue::room
