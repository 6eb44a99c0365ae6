#include "polylogue/room/fork_records.hpp"

#include <algorithm>

namespace polylogue::room {

std::string lineage_of(std::span<const core::record> history, std::string_view room_name) {
    const auto newest = std::find_if(history.rbegin(), history.rend(), [](const core::record& r) {
        return r.type == core::record_type::forked && !r.lineage.empty();
    });
    return newest == history.rend() ? std::string{room_name} : newest->lineage;
}

bool forkable_at(std::span<const core::record> history, std::int64_t at) noexcept {
    return at >= 1 && !history.empty() && at <= history.back().seq;
}

std::vector<core::record> fork_records(std::span<const core::record> origin_history,
                                       const fork_point& point) {
    const auto kept = std::find_if(origin_history.begin(), origin_history.end(),
                                   [&](const core::record& r) { return r.seq > point.at; });
    std::vector<core::record> records(origin_history.begin(), kept);
    core::record forked;
    forked.seq = point.at + 1;
    forked.time = point.time;
    forked.type = core::record_type::forked;
    forked.text =
        "Forked from " + point.origin + " at seq " + std::to_string(point.at) + " by " + point.by;
    forked.origin = point.origin;
    forked.origin_seq = point.at;
    forked.lineage = lineage_of(origin_history, point.origin);
    records.push_back(std::move(forked));
    return records;
}

}  // namespace polylogue::room
