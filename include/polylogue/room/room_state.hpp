#pragma once
// A room's state is a pure fold over its records: replaying the transcript rebuilds exactly the
// members, temperatures, mutes, whose turn it is and how many turns were taken. This is what
// makes a restarted room continue where it stopped.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/record.hpp"

namespace polylogue::room {

struct member_state {
    int slot = 0;  // 1-based: AI-1, AI-2, ...
    std::string model;
    std::optional<double> temperature;  // nullopt: the model takes none
    std::string invited_by;             // "config" or "AI-n"
    std::string invite;                 // stays in the member's system prompt
    std::string prompt_additions;       // from !prompt, newline-separated
    std::size_t replies = 0;            // messages this member has sent
    bool muted = false;                 // sits out its next turn
    bool exhausted = false;             // will never speak again
    bool suspended = false;             // failed too often in a row; speaks only when retried
    int failures_in_a_row = 0;          // turn_failed records since its last message
    int failed_retries = 0;             // retries that failed since it was suspended
    // When a suspended member is tried next, from its last member_suspended record; nullopt
    // while suspended: it is not tried again (an operator's resume reinstates it).
    std::optional<std::chrono::system_clock::time_point> retry_at;
    std::int64_t window_from_seq = 0;  // its window starts here: its last trim's from_seq
    bool left = false;            // taken out of the room: it never speaks again, its seat frees
    std::int64_t joined_seq = 0;  // its join record's seq
};

// How the room's image or search tool has fared lately: what the system prompt tells the models
// when it keeps failing.
struct tool_health {
    int failures_in_a_row = 0;  // failed !image (or !search) commands since the last that worked
    std::string last_failure;   // the last failed command's detail
};

struct room_state {
    std::vector<member_state> members;  // members[i].slot == i + 1
    std::int64_t last_seq = 0;
    int last_speaker = 0;  // the slot whose turn came last (spoke, skipped or ran dry); 0: none
    int ai_turns = 0;      // AI messages and failed AI turns so far; what max_turns counts
    std::int64_t input_tokens = 0;         // whole prompts; the two below are parts of it
    std::int64_t cached_input_tokens = 0;  // read from the providers' prompt caches
    std::int64_t cache_write_tokens = 0;   // written to them
    std::int64_t output_tokens = 0;
    double cost_usd = 0;  // what max_cost_usd counts: replies, images and searches
    tool_health image_tool;
    tool_health search_tool;
    bool paused = false;  // an operator or the daily budget paused the room: no turns until resumed
    // Paused by the daily budget: when the room resumes by itself (the next UTC day).
    std::optional<std::chrono::system_clock::time_point> resume_at;
    bool ended = false;
    std::string end_reason;
    bool ended_by_failure = false;  // it ended because its members failed: resume reopens it
    bool archived = false;          // an operator archived it: ended, and out of the listing
    // A next_speaker record's slot: it speaks next when it can; 0 once any AI's turn came.
    int requested_next = 0;
    // Slots whose turn came in the current round, in order (random turn order): a slot that
    // comes again starts a new round.
    std::vector<int> round_taken;
    int ai_streak = 0;  // AI messages since the last human message, resume or fork
    // The loop guard looks only at AI messages after this seq (its last finding, or the fork).
    std::int64_t loop_checked_after = 0;
    // What operators changed with settings_changed records: a JSON object, keys as in the
    // config; a key set to null is back to the config's value and leaves the object.
    std::string settings = "{}";
    // forked rooms: where the room came from, and the name that seeds its random draws (the
    // first room of its line); empty lineage: the room's own name.
    std::string origin;
    std::int64_t origin_seq = 0;
    std::string lineage;
    int forks = 0;  // forked records so far: each shifted the seqs after it by one

    // What seeds a random draw with the lineage name: the seq the room would be at without its
    // forked records, so a fork draws exactly as its origin did from the same records.
    std::int64_t draw_seq() const noexcept { return last_seq - forks; }

    member_state* member(int slot) noexcept;
    const member_state* member(int slot) const noexcept;
    // A present member with that model (one that has not left).
    const member_state* find_model(std::string_view model) const noexcept;
    int present() const noexcept;  // members that have not left: what max_ais counts
};

// The end reason of a room whose members all failed, as older versions wrote it (without the
// room_ended record's failure field).
inline constexpr std::string_view legacy_members_failed_reason =
    "no member can speak: every member has run out of replies or is suspended";

// settings (a JSON object, as room_state::settings) with changed (a settings_changed record's
// settings) laid over it: a key set to null goes back to the config's value and leaves the
// object, others replace what was there.
std::string merged_settings(std::string_view settings, std::string_view changed);

// Applies one committed record. Records must come in seq order.
void apply(room_state& state, const core::record& r);

room_state fold(std::span<const core::record> records);

}  // namespace polylogue::room
