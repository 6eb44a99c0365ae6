#pragma once
// A transcript record: the unit of truth. A room's state is a fold over its records, so every
// field that state depends on lives here. Records are append-only; seq is 1, 2, 3... per room.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/error.hpp"

namespace polylogue::core {

enum class record_type {
    message,           // an AI or a human spoke
    command,           // the outcome of one command found in a message
    join,              // an AI took a slot (from the config or through !add_ai)
    skip,              // a muted AI sat out its turn
    member_exhausted,  // a scripted AI ran out of replies and speaks no more
    notice,            // anything else the orchestrator tells the room
    room_ended,        // the room ended; text says why
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
    std::string command;
    std::vector<std::string> args;
    command_status status = command_status::ok;
    std::string detail;
    std::optional<double> value;      // temperature applied
    std::optional<double> requested;  // temperature asked, when it was clamped
    // join records
    std::string invited_by;  // "AI-1", or "config"
    std::string invite;      // the invite message, part of the newcomer's system prompt
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
