#include "polylogue/room/renderer.hpp"

#include <iterator>
#include <limits>
#include <optional>
#include <vector>

namespace polylogue::room {

namespace {

// The estimate of docs/config.md, from the text's size before escaping.
std::size_t tokens_for_bytes(std::size_t plain_bytes) noexcept {
    return (plain_bytes + 3) / 4 + 4;
}

std::size_t tokens_of(const providers::json_text& text) noexcept {
    return tokens_for_bytes(text.plain_bytes());
}

}  // namespace

std::size_t estimate_tokens(std::string_view text) noexcept {
    return tokens_for_bytes(text.size());
}

namespace {

// The index of the opening: the first message, when a human wrote it before any AI spoke.
std::optional<std::size_t> opening_index(std::span<const core::record> records) {
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].type == core::record_type::message) {
            if (core::slot_from_label(records[i].speaker) > 0) {
                return std::nullopt;
            }
            return i;
        }
    }
    return std::nullopt;
}

struct window {
    std::vector<providers::conversation_turn> newest_first;
    std::size_t first_kept = 0;
    bool opening_reached = false;
};

// Walks back from the newest record while the budget lasts. The opening keeps its place when
// the walk reaches it (its cost was counted up front).
window walk_back(std::span<const core::record> records, std::optional<std::size_t> opening,
                 int slot, std::size_t budget_tokens, std::size_t& used_tokens,
                 render_cache& cache) {
    window kept;
    kept.first_kept = records.size();
    for (std::size_t i = records.size(); i > 0; --i) {
        const rendered_record& rendered = cache.at(records, i - 1);
        if (!rendered.escaped) {  // an operator record: never shown, never counted
            kept.first_kept = i - 1;
            continue;
        }
        if (opening && i - 1 == *opening) {
            kept.newest_first.push_back(turn_of(rendered, slot));
            kept.opening_reached = true;
            kept.first_kept = i - 1;
            continue;
        }
        auto turn = turn_of(rendered, slot);
        const std::size_t cost = tokens_of(turn.text);
        if (used_tokens + cost > budget_tokens) {
            break;
        }
        used_tokens += cost;
        kept.newest_first.push_back(std::move(turn));
        kept.first_kept = i - 1;
    }
    return kept;
}

}  // namespace

rendered_view render_within(const config::room& room, const room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens, render_cache& cache) {
    rendered_view view;
    const std::string system = render_system_prompt(room, state, slot);
    view.estimated_tokens = estimate_tokens(system);
    view.conversation.system = providers::json_text{system};
    const auto opening = opening_index(records);
    std::optional<providers::conversation_turn> opening_turn;
    if (opening) {
        opening_turn = turn_of(cache.opening(records, *opening), slot);
        view.estimated_tokens += tokens_of(opening_turn->text);
    }
    cache.check(records);
    window kept = walk_back(records, opening, slot, budget_tokens, view.estimated_tokens, cache);
    cache.note_window(state, slot, kept.first_kept);
    // Counted, not scanned, so that the cost stays with the window: operator records before
    // it count too, which only matters for the number, never for whether trimming happened.
    const bool opening_apart = opening_turn && !kept.opening_reached;
    view.dropped = kept.first_kept - (opening_apart ? 1 : 0);
    auto& turns = view.conversation.turns;
    turns.reserve(kept.newest_first.size() + 1);
    if (opening_apart) {
        turns.push_back(std::move(*opening_turn));
    }
    turns.insert(turns.end(), std::make_move_iterator(kept.newest_first.rbegin()),
                 std::make_move_iterator(kept.newest_first.rend()));
    return view;
}

rendered_view render_within(const config::room& room, const room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens) {
    render_cache cache;
    return render_within(room, state, records, slot, budget_tokens, cache);
}

providers::conversation render(const config::room& room, const room_state& state,
                               std::span<const core::record> records, int slot) {
    return render_within(room, state, records, slot, std::numeric_limits<std::size_t>::max())
        .conversation;
}

}  // namespace polylogue::room
