#include "polylogue/room/room_state.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "polylogue/core/text.hpp"

namespace polylogue::room {
namespace {

void apply_join(room_state& state, int slot, const core::record& r) {
    if (slot != static_cast<int>(state.members.size()) + 1) {
        return;  // slots are handed out in order; anything else never came from us
    }
    member_state joined;
    joined.slot = slot;
    joined.model = r.model;
    joined.temperature = r.value;
    joined.invited_by = r.invited_by;
    joined.invite = r.invite;
    joined.joined_seq = r.seq;
    state.members.push_back(std::move(joined));
}

// The random turn order's rounds: a slot whose turn comes again begins the next round.
void take_round_turn(room_state& state, int slot) {
    if (std::find(state.round_taken.begin(), state.round_taken.end(), slot) !=
        state.round_taken.end()) {
        state.round_taken.clear();
    }
    state.round_taken.push_back(slot);
    state.requested_next = 0;
}

// A fork goes on from its origin's state, as a room of its own: it runs again, and its turns,
// spend and guards count from the fork.
void begin_fork(room_state& state, const core::record& r) {
    state.ended = false;
    state.ended_by_failure = false;
    state.end_reason.clear();
    state.archived = false;
    state.paused = false;
    state.resume_at.reset();
    state.ai_turns = 0;
    state.input_tokens = 0;
    state.cached_input_tokens = 0;
    state.cache_write_tokens = 0;
    state.output_tokens = 0;
    state.cost_usd = 0;
    state.ai_streak = 0;
    state.loop_checked_after = r.seq;
    state.origin = r.origin;
    state.origin_seq = r.origin_seq;
    state.lineage = r.lineage;
    ++state.forks;
}

// A provider call's tokens and cost: a reply's, or a selector's answer.
void add_spending(room_state& state, const core::record& r) {
    state.input_tokens += r.input_tokens.value_or(0);
    state.cached_input_tokens += r.cached_input_tokens.value_or(0);
    state.cache_write_tokens += r.cache_write_tokens.value_or(0);
    state.output_tokens += r.output_tokens.value_or(0);
    state.cost_usd += r.cost_usd.value_or(0.0);
}

void apply_message(room_state& state, member_state* speaker, const core::record& r) {
    if (speaker == nullptr) {
        state.ai_streak = 0;  // a human spoke
        return;
    }
    ++speaker->replies;
    ++state.ai_turns;
    ++state.ai_streak;
    state.last_speaker = speaker->slot;
    take_round_turn(state, speaker->slot);
    speaker->failures_in_a_row = 0;
    add_spending(state, r);
}

// The records of this version: who speaks next, guards, settings, departures, forks.
void apply_steering(room_state& state, member_state* speaker, const core::record& r) {
    switch (r.type) {
        case core::record_type::next_speaker:
            state.requested_next = speaker != nullptr ? speaker->slot : 0;
            add_spending(state, r);  // a selector's answer is spending of the room, like a reply
            break;
        case core::record_type::loop_detected:
            state.loop_checked_after = r.seq;
            break;
        case core::record_type::settings_changed:
            state.settings = merged_settings(state.settings, r.settings);
            break;
        case core::record_type::left:
            if (speaker != nullptr) {
                speaker->left = true;
                if (state.requested_next == speaker->slot) {
                    state.requested_next = 0;
                }
            }
            break;
        case core::record_type::forked:
            begin_fork(state, r);
            break;
        case core::record_type::archived:
            state.archived = true;
            state.ended = true;
            state.ended_by_failure = false;
            if (state.end_reason.empty()) {
                state.end_reason = r.text;
            }
            break;
        default:
            break;
    }
}

void note_tool_outcome(room_state& state, const core::record& r) {
    tool_health* health = r.command == core::command_name::image    ? &state.image_tool
                          : r.command == core::command_name::search ? &state.search_tool
                                                                    : nullptr;
    if (health == nullptr) {
        return;
    }
    if (r.status == core::command_status::failed) {
        ++health->failures_in_a_row;
        health->last_failure = r.detail;
    } else if (r.status == core::command_status::ok) {
        *health = {};
    }
}

void apply_command(room_state& state, member_state* speaker, const core::record& r) {
    note_tool_outcome(state, r);
    if (speaker == nullptr || r.status != core::command_status::ok) {
        return;
    }
    if (r.command == core::command_name::temperature && r.value) {
        speaker->temperature = r.value;
    } else if (r.command == core::command_name::mute_self) {
        speaker->muted = true;
    } else if (r.command == core::command_name::prompt && !r.args.empty()) {
        if (!speaker->prompt_additions.empty()) {
            speaker->prompt_additions += '\n';
        }
        speaker->prompt_additions += r.args.front();
    }
}

void suspend(member_state& member, const core::record& r) {
    if (member.suspended) {
        ++member.failed_retries;  // a member_suspended record while suspended: a retry failed
    } else {
        member.suspended = true;
        member.failed_retries = 0;
    }
    member.retry_at = r.retry > 0 ? core::parse_rfc3339(r.retry_at) : std::nullopt;
}

void reinstate(member_state& member) {
    member.suspended = false;
    member.failed_retries = 0;
    member.retry_at.reset();
    member.failures_in_a_row = 0;
}

bool members_failed(const room_state& state, const core::record& ended) {
    if (ended.failure == "members_failed") {
        return true;
    }
    // Older transcripts: the reason said so, and a member was suspended.
    return ended.failure.empty() && ended.text == legacy_members_failed_reason &&
           std::any_of(state.members.begin(), state.members.end(),
                       [](const member_state& m) { return m.suspended; });
}

void end_room(room_state& state, const core::record& r) {
    state.ended_by_failure = members_failed(state, r);
    state.ended = true;
    state.end_reason = r.text;
}

// An operator's resume: it unpauses, and reopens a room whose members failed.
void resume(room_state& state) {
    state.paused = false;
    state.resume_at.reset();
    state.ai_streak = 0;
    if (state.ended && state.ended_by_failure) {
        state.ended = false;
        state.ended_by_failure = false;
        state.end_reason.clear();
    }
}

}  // namespace

member_state* room_state::member(int slot) noexcept {
    if (slot < 1 || slot > static_cast<int>(members.size())) {
        return nullptr;
    }
    return &members[static_cast<std::size_t>(slot - 1)];
}

const member_state* room_state::member(int slot) const noexcept {
    return const_cast<room_state*>(this)->member(slot);
}

std::string merged_settings(std::string_view settings, std::string_view changed) {
    auto merged = nlohmann::json::parse(settings, nullptr, false);
    const auto change = nlohmann::json::parse(changed, nullptr, false);
    if (!merged.is_object()) {
        merged = nlohmann::json::object();
    }
    if (!change.is_object()) {
        return merged.dump();
    }
    for (const auto& [key, value] : change.items()) {
        if (value.is_null()) {
            merged.erase(key);
        } else {
            merged[key] = value;
        }
    }
    return merged.dump();
}

int room_state::present() const noexcept {
    return static_cast<int>(std::count_if(members.begin(), members.end(),
                                          [](const member_state& m) { return !m.left; }));
}

const member_state* room_state::find_model(std::string_view model) const noexcept {
    const std::string wanted = core::ascii_lower(model);
    for (const auto& m : members) {
        if (!m.left && core::ascii_lower(m.model) == wanted) {
            return &m;
        }
    }
    return nullptr;
}

void apply(room_state& state, const core::record& r) {
    state.last_seq = r.seq;
    // Read once: most records concern the member in the speaker's slot.
    const int slot = core::slot_from_label(r.speaker);
    member_state* speaker = state.member(slot);
    switch (r.type) {
        case core::record_type::join:
            apply_join(state, slot, r);
            break;
        case core::record_type::command:
            apply_command(state, speaker, r);
            state.cost_usd += r.cost_usd.value_or(0.0);  // an image made but not saved
            break;
        case core::record_type::message:
            apply_message(state, speaker, r);
            break;
        case core::record_type::turn_failed:
            if (speaker != nullptr) {
                ++speaker->failures_in_a_row;
                ++state.ai_turns;
                state.last_speaker = speaker->slot;
                take_round_turn(state, speaker->slot);
            }
            break;
        case core::record_type::member_suspended:
            if (speaker != nullptr) {
                suspend(*speaker, r);
            }
            break;
        case core::record_type::member_reinstated:
            if (speaker != nullptr) {
                reinstate(*speaker);
            }
            break;
        case core::record_type::image:
        case core::record_type::search_results:
            state.cost_usd += r.cost_usd.value_or(0.0);
            break;
        case core::record_type::skip:
            if (speaker != nullptr) {
                speaker->muted = false;
                state.last_speaker = speaker->slot;
                take_round_turn(state, speaker->slot);
            }
            break;
        case core::record_type::member_exhausted:
            if (speaker != nullptr) {
                speaker->exhausted = true;
                state.last_speaker = speaker->slot;
                take_round_turn(state, speaker->slot);
            }
            break;
        case core::record_type::room_ended:
            end_room(state, r);
            break;
        case core::record_type::notice:
            break;
        case core::record_type::paused:
            state.paused = true;
            state.resume_at = r.resume_at.empty() ? std::nullopt : core::parse_rfc3339(r.resume_at);
            break;
        case core::record_type::resumed:
            resume(state);
            break;
        case core::record_type::context_trimmed:
            if (speaker != nullptr) {
                speaker->window_from_seq = std::max(speaker->window_from_seq, r.from_seq);
            }
            break;
        case core::record_type::next_speaker:
        case core::record_type::loop_detected:
        case core::record_type::settings_changed:
        case core::record_type::left:
        case core::record_type::forked:
        case core::record_type::archived:
            apply_steering(state, speaker, r);
            break;
    }
}

room_state fold(std::span<const core::record> records) {
    room_state state;
    for (const auto& r : records) {
        apply(state, r);
    }
    return state;
}

}  // namespace polylogue::room
