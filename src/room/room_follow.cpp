// A runner following a room that another node of a fleet runs (room_runner.hpp, "A fleet").

#include "polylogue/room/room_runner.hpp"

#include <exception>

namespace polylogue::room {

bool room_runner::follow(std::span<const core::record> records) {
    if (running_) {
        return false;  // this node writes the room: its own commits are its history
    }
    std::size_t taken = 0;
    bool settings_changed = false;
    for (const auto& r : records) {
        if (r.seq <= state_.last_seq) {
            continue;  // already here (a notice can arrive after the records were read)
        }
        if (r.seq != state_.last_seq + 1) {
            break;
        }
        apply(state_, r);
        history_.push_back(r);
        settings_changed = settings_changed || r.type == core::record_type::settings_changed;
        ++taken;
    }
    const auto added = std::span{history_}.last(taken);
    if (settings_changed) {
        refresh_settings();
    }
    if (services_.budget) {
        services_.budget->count(added);  // the fleet's spending counts against the daily budget
    }
    if (!added.empty() && services_.observer != nullptr) {
        try {
            services_.observer->followed(*this, added);
        } catch (const std::exception& e) {
            services_.log->warn("room {}: a watcher failed: {}", room_->name, e.what());
        }
    }
    return records.empty() || records.back().seq <= state_.last_seq;
}

void room_runner::take_over() {
    if (running_) {
        return;
    }
    stopping_ = false;
    outcome_ = room_outcome::running;
    failure_.clear();
}

}  // namespace polylogue::room
