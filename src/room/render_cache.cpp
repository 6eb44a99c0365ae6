#include "polylogue/room/render_cache.hpp"

#include <algorithm>
#include <limits>

#include "polylogue/transcript/format.hpp"

namespace polylogue::room {
namespace {

// What only operators need: models see a loop_detected or a left record, not these.
bool hidden_from_models(const core::record& r) noexcept {
    switch (r.type) {
        case core::record_type::paused:
        case core::record_type::resumed:
        case core::record_type::context_trimmed:
        case core::record_type::next_speaker:
        case core::record_type::settings_changed:
        case core::record_type::forked:
        case core::record_type::archived:
            return true;
        default:
            return false;
    }
}

providers::shared_bytes escaped_of(std::string_view prefix, std::string_view text,
                                   std::size_t* text_offset) {
    std::string escaped;
    escaped.reserve(prefix.size() + text.size() + text.size() / 16);
    providers::append_json_escaped(escaped, prefix);
    // The prefix ends in an ASCII byte, so escaping the two apart is escaping them together.
    *text_offset = escaped.size();
    providers::append_json_escaped(escaped, text);
    return providers::shared_bytes::copy_of(escaped);
}

}  // namespace

rendered_record render_record(const core::record& r) {
    rendered_record rendered;
    rendered.seq = r.seq;
    if (hidden_from_models(r)) {
        return rendered;
    }
    std::size_t text_offset = 0;
    if (r.type != core::record_type::message) {
        const std::string notice = "[Polylogue] " + transcript::describe(r);
        rendered.escaped = escaped_of({}, notice, &text_offset);
        rendered.plain_bytes = notice.size();
        return rendered;
    }
    const std::string prefix =
        "[" + (r.model.empty() ? r.speaker : r.speaker + " (" + r.model + ")") + "]: ";
    rendered.escaped = escaped_of(prefix, r.text, &text_offset);
    rendered.plain_bytes = prefix.size() + r.text.size();
    rendered.own_offset = text_offset;
    rendered.own_plain_bytes = r.text.size();
    rendered.own_blank = providers::is_blank(r.text);
    const int slot = core::slot_from_label(r.speaker);
    rendered.speaker_slot = slot > 0 && core::slot_label(slot) == r.speaker ? slot : 0;
    return rendered;
}

providers::conversation_turn turn_of(const rendered_record& rendered, int slot) {
    if (rendered.speaker_slot == slot && slot > 0) {
        return {providers::turn_role::assistant,
                providers::json_text{rendered.escaped, rendered.own_offset,
                                     rendered.own_plain_bytes, rendered.own_blank}};
    }
    // A prefixed text is never blank: it starts with '['.
    return {providers::turn_role::user,
            providers::json_text{rendered.escaped, 0, rendered.plain_bytes, false}};
}

const rendered_record& render_cache::at(std::span<const core::record> records, std::size_t index) {
    if (index >= first_ && index < first_ + entries_.size()) {
        return entries_[index - first_];
    }
    if (entries_.empty() || index + 1 < first_) {
        entries_.clear();  // renders walk back one record at a time; anything else starts over
        first_ = index;
    }
    if (index < first_) {
        entries_.push_front(render_record(records[index]));
        first_ = index;
        return entries_.front();
    }
    // Records committed since the last render: the walk from the newest needs them all.
    while (first_ + entries_.size() <= index) {
        entries_.push_back(render_record(records[first_ + entries_.size()]));
    }
    return entries_[index - first_];
}

void render_cache::check(std::span<const core::record> records) {
    const auto matches = [&](std::size_t index) {
        return index < records.size() && records[index].seq == entries_[index - first_].seq;
    };
    if (!entries_.empty() && !(matches(first_) && matches(first_ + entries_.size() - 1))) {
        entries_.clear();
        first_ = 0;
    }
}

const rendered_record& render_cache::opening(std::span<const core::record> records,
                                             std::size_t index) {
    if (!opening_ || opening_->first != index || opening_->second.seq != records[index].seq) {
        opening_.emplace(index, render_record(records[index]));
    }
    return opening_->second;
}

void render_cache::note_window(const room_state& state, int slot, std::size_t first_kept) {
    if (slot < 1) {
        return;
    }
    if (window_starts_.size() < static_cast<std::size_t>(slot)) {
        window_starts_.resize(static_cast<std::size_t>(slot));
    }
    window_starts_[static_cast<std::size_t>(slot) - 1] = first_kept;
    std::size_t floor = std::numeric_limits<std::size_t>::max();
    for (const member_state& member : state.members) {
        const auto i = static_cast<std::size_t>(member.slot) - 1;
        if (!member.exhausted && !member.suspended && i < window_starts_.size() &&
            window_starts_[i]) {
            floor = std::min(floor, *window_starts_[i]);
        }
    }
    release_before(std::min(floor, first_kept));
}

void render_cache::release_before(std::size_t index) {
    while (!entries_.empty() && first_ < index) {
        entries_.pop_front();
        ++first_;
    }
}

}  // namespace polylogue::room
