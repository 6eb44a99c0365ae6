#pragma once
// The records a fork begins with (docs/control-api.md, "Fork a room"): its origin's records
// 1..at, copied as they are (seqs, times, texts, image paths), then a forked record that names
// the origin. Folded, they give the origin's state at `at`, reopened, with its turns and spend
// counting from the fork. Pure.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/record.hpp"

namespace polylogue::room {

struct fork_point {
    std::string origin;   // the room forked
    std::int64_t at = 0;  // its last record the fork keeps
    std::string by;       // who forked it, for the record's text
    std::string time;     // the forked record's time (RFC 3339)
};

// The name that seeds a room's random draws: the lineage of its newest forked record, or the
// room's own name when it was never forked.
std::string lineage_of(std::span<const core::record> history, std::string_view room_name);

// Whether `at` names a record of history (1..its last seq).
bool forkable_at(std::span<const core::record> history, std::int64_t at) noexcept;

// Requires forkable_at(origin_history, point.at); origin_history in seq order from seq 1.
std::vector<core::record> fork_records(std::span<const core::record> origin_history,
                                       const fork_point& point);

}  // namespace polylogue::room
