#pragma once
// A transcript record: the unit of truth. A room's state is a fold over its records, so every
// field that state depends on lives here. Records are append-only; seq is 1, 2, 3... per room.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/command_name.hpp"
#include "polylogue/core/error.hpp"

namespace polylogue::core {

enum class record_type {
    message,            // an AI or a human spoke
    command,            // the outcome of one command found in a message
    join,               // an AI took a slot (from the config or through !add_ai)
    skip,               // a muted AI sat out its turn
    member_exhausted,   // a scripted AI ran out of replies and speaks no more
    notice,             // anything else the orchestrator tells the room
    room_ended,         // the room ended; text says why
    turn_failed,        // an AI could not answer after its provider's retries
    member_suspended,   // an AI failed too many turns in a row: it waits for a retry, or gives up
    image,              // an image a tool generated: path under data_dir, bytes, mime
    search_results,     // what a search tool found
    paused,             // an operator paused the room: no turns until resumed; text says who
    resumed,            // an operator resumed a paused room
    context_trimmed,    // an AI's context no longer holds the whole room: what it keeps
    member_reinstated,  // a suspended AI answered its retry, or an operator resumed the room
    next_speaker,       // who speaks next was chosen: speaker; chosen_by says by whom
    loop_detected,      // the loop guard found the last AI messages repeating; value: similarity
    settings_changed,   // an operator changed room settings: settings holds the changed keys
    left,               // an AI was taken out of the room: its seat frees, its label is not reused
    forked,             // this room was forked from origin at origin_seq: the records before it
                        // are origin's records 1..origin_seq
    archived,           // an operator archived the room: it has ended and leaves the listing
};

struct search_hit {
    std::string title;
    std::string url;
    std::string snippet;
};

enum class command_status { ok, rejected, unavailable, failed };

std::string_view to_string(record_type type) noexcept;
std::string_view to_string(command_status status) noexcept;
result<record_type> record_type_from_string(std::string_view name) noexcept;
result<command_status> command_status_from_string(std::string_view name) noexcept;

struct record {
    std::int64_t seq = 0;
    std::string time;  // RFC 3339 UTC with milliseconds, e.g. 2026-11-29T04:30:00.123Z
    record_type type = record_type::notice;
    std::string speaker;  // "AI-3", or a human's name; empty for room-level records
    std::string model;    // display name, for AI speakers and joins
    std::string text;     // message, notice or room_ended text
    // command records
    command_name command = command_name::image;
    std::vector<std::string> args;
    command_status status = command_status::ok;
    std::string detail;
    std::optional<double> value;      // temperature applied
    std::optional<double> requested;  // temperature asked, when it was clamped
    // join records
    std::string invited_by;  // "AI-1", or "config"
    std::string invite;      // the invite message, part of the newcomer's system prompt
    // message records from a provider
    std::string reasoning;  // thinking the model shared apart from its reply; never re-sent
    // input_tokens is the whole prompt; of it, cached_input_tokens were read from the
    // provider's prompt cache and cache_write_tokens were written to it (docs/transcript.md)
    std::optional<std::int64_t> input_tokens;
    std::optional<std::int64_t> cached_input_tokens;
    std::optional<std::int64_t> cache_write_tokens;
    std::optional<std::int64_t> output_tokens;
    // what the record cost: a reply's tokens at its model's price; an image or a search at its
    // tool's price (on the image or search_results record, or on a failed !image's command
    // record when the image was made but could not be saved)
    std::optional<double> cost_usd;
    // turn_failed records (detail holds the provider's message, secrets redacted)
    std::string error_type;  // e.g. "overloaded_error", "transport", "API_KEY_INVALID"
    std::string failure;     // failure kind: retriable, final, authentication, blocked;
                             // on room_ended, "members_failed" when its members failed
    int http_status = 0;
    int attempts = 0;
    // member_suspended records: the retry that comes next (1, 2, ...) and when; 0 and empty
    // when the member is not tried again
    int retry = 0;
    std::string retry_at;  // RFC 3339, as time
    // paused records written by the daily budget: when the room resumes by itself (RFC 3339);
    // empty for an operator's pause
    std::string resume_at;
    // image records (text holds the prompt)
    std::string path;  // relative to data_dir
    std::string mime;
    std::int64_t bytes = 0;
    int width = 0;  // pixels, read from the image's header; 0 when unknown (older records)
    int height = 0;
    // search_results records (text holds the query)
    std::vector<search_hit> results;
    // next_speaker records: "operator NAME", "selector" or "natural" (the selector's fallback;
    // detail says why)
    std::string chosen_by;
    // settings_changed records: a JSON object of the keys that changed and their new values
    // (null: back to the config file's value), as docs/config.md spells them
    std::string settings;
    // forked records: the room this one was forked from, the seq it was forked at, and the name
    // that seeds the room's random draws (the first room of its line), so that a fork draws as
    // its origin would have
    std::string origin;
    std::int64_t origin_seq = 0;
    std::string lineage;
    // context_trimmed records: the member sees the records from this seq on (besides its
    // instructions and the room's opening) until its next trim; 0 in records written before
    // windows were trimmed in blocks
    std::int64_t from_seq = 0;
};

// The JSON form is the JSONL contract of docs/transcript.md: only fields that carry meaning for
// the record's type are written.
nlohmann::json to_json(const record& r);
result<record> record_from_json(const nlohmann::json& j);

// "AI-3" for slot 3; slots are 1-based.
std::string slot_label(int slot);
// 3 for "AI-3"; 0 for anything that is not an AI slot label.
int slot_from_label(std::string_view label) noexcept;

}  // namespace polylogue::core
