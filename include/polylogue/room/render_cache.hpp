#pragma once
// Each record as the models see it, escaped for JSON once (providers::json_text) and kept while
// it is in a member's window, so that a turn renders old records without touching their bytes
// (docs/performance.md, "Cost per turn with a long history"). Memoisation only: an entry that
// is missing or was released is made again from its record, so the cache never changes what a
// render produces, only what it costs. One cache per room history, which only grows.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/core/record.hpp"
#include "polylogue/providers/conversation.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

// One record for the models: a message is "[AI-1 (Model)]: text" for everyone but its speaker,
// who sees the text alone as its own turn; any other record is a "[Polylogue] ..." notice.
struct rendered_record {
    std::int64_t seq = 0;
    providers::shared_bytes escaped;  // the whole text, escaped; null: never shown
    std::size_t plain_bytes = 0;      // the whole text's size before escaping
    std::size_t own_offset = 0;       // the speaker's own form: escaped from here
    std::size_t own_plain_bytes = 0;
    bool own_blank = false;
    int speaker_slot = 0;  // a message's speaker, when an AI ("AI-3": 3); 0 otherwise
};

// Pure: operator records (paused, resumed, context_trimmed) come out with nothing escaped.
rendered_record render_record(const core::record& r);

// The turn a rendered record makes in the view of the member in slot, sharing its bytes.
providers::conversation_turn turn_of(const rendered_record& rendered, int slot);

class render_cache {
  public:
    // Before a render: forgets everything when records are not the history it was filled from
    // (checked at both ends of what it holds, not per record, which would touch every record).
    void check(std::span<const core::record> records);

    // records[index] rendered; records are the room's history, index < records.size().
    const rendered_record& at(std::span<const core::record> records, std::size_t index);

    // The room's opening is kept apart: it stays in every window however far back it lies.
    const rendered_record& opening(std::span<const core::record> records, std::size_t index);

    // slot's render kept records from first_kept on. Entries before every window of a member
    // that can still speak are released: what the cache holds follows the widest context, not
    // the length of the room.
    void note_window(const room_state& state, int slot, std::size_t first_kept);

    std::size_t entries() const noexcept { return entries_.size(); }

  private:
    void release_before(std::size_t index);

    std::deque<rendered_record> entries_;  // records [first_, first_ + entries_.size())
    std::size_t first_ = 0;
    std::optional<std::pair<std::size_t, rendered_record>> opening_;
    std::vector<std::optional<std::size_t>> window_starts_;  // by slot - 1
};

}  // namespace polylogue::room
