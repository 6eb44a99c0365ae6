#pragma once
// A batch of one record, for room_runner's commits of a single record.

#include <utility>
#include <vector>

#include "polylogue/core/record.hpp"

namespace polylogue::room {

// Braced lists inside co_await expressions miscompile on GCC 12; build the vector outside.
inline std::vector<core::record> single_record(core::record r) {
    std::vector<core::record> records;
    records.push_back(std::move(r));
    return records;
}

}  // namespace polylogue::room
