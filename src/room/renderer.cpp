#include "polylogue/room/renderer.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

#include "polylogue/providers/image_input.hpp"

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

// The images a walk may still attach. It goes newest first, so once one does not fit (the
// budget, or the limits of one request), no older one is shown either.
struct image_allowance {
    image_rules rules;
    // What the budget leaves beside the system prompt and the opening: an image that costs more
    // can never be shown, so it is left out like one its API refuses and trims nothing.
    std::size_t room_tokens = std::numeric_limits<std::size_t>::max();
    bool open = true;
    std::size_t count = 0;
    std::uint64_t bytes = 0;
    std::size_t left_out = 0;
};

struct shown_image {
    providers::image_part part;
    std::size_t tokens = 0;
};

// The image of record r to show this member within spare_tokens, if any.
std::optional<shown_image> image_of(const core::record& r, image_allowance& allowance,
                                    std::size_t spare_tokens) {
    if (!allowance.rules.vision || r.type != core::record_type::image || r.path.empty()) {
        return std::nullopt;
    }
    const auto bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(r.bytes, 0));
    if (bytes == 0 || bytes > providers::max_input_image_bytes ||
        !providers::accepts_image(allowance.rules.api, r.mime)) {
        ++allowance.left_out;  // this one never fits; an older one still may
        return std::nullopt;
    }
    const auto size = r.width > 0 && r.height > 0
                          ? std::optional<providers::image_size>{{r.width, r.height}}
                          : std::nullopt;
    const std::size_t tokens = providers::image_tokens(allowance.rules.api, size);
    if (tokens > allowance.room_tokens) {
        ++allowance.left_out;
        return std::nullopt;
    }
    if (!allowance.open || allowance.count >= providers::max_input_images_per_request ||
        allowance.bytes + bytes > providers::max_input_image_bytes_per_request ||
        tokens > spare_tokens) {
        allowance.open = false;
        ++allowance.left_out;
        return std::nullopt;
    }
    ++allowance.count;
    allowance.bytes += bytes;
    return shown_image{{r.path, r.mime, {}}, tokens};
}

struct window {
    std::vector<providers::conversation_turn> newest_first;
    std::size_t first_kept = 0;
    bool opening_reached = false;
    bool overflowed = false;        // stopped by the budget or the image limits before the floor
    bool stopped_at_image = false;  // a trim's walk ended before an image it could not show
};

struct walk {
    std::span<const core::record> records;
    std::optional<std::size_t> opening;
    std::size_t floor = 0;  // the oldest record this walk may reach
    int slot = 0;
    std::size_t budget_tokens = 0;
    std::size_t used_tokens = 0;
    image_allowance images;
    // A trim's walk ends where an image would no longer be shown, so that the window it leaves
    // shows every image it holds, and the next turns can keep it as it is.
    bool stop_at_hidden_image = false;
};

// Walks back from the newest record while the budget lasts. The opening keeps its place when
// the walk reaches it (its cost was counted up front).
window walk_back(walk& w, render_cache& cache) {
    window kept;
    kept.first_kept = w.records.size();
    for (std::size_t i = w.records.size(); i > w.floor; --i) {
        const rendered_record& rendered = cache.at(w.records, i - 1);
        if (!rendered.escaped) {  // an operator record: never shown, never counted
            kept.first_kept = i - 1;
            continue;
        }
        if (w.opening && i - 1 == *w.opening) {
            kept.newest_first.push_back(turn_of(rendered, w.slot));
            kept.opening_reached = true;
            kept.first_kept = i - 1;
            continue;
        }
        auto turn = turn_of(rendered, w.slot);
        std::size_t cost = tokens_of(turn.text);
        if (w.used_tokens + cost > w.budget_tokens) {
            kept.overflowed = true;
            break;
        }
        const bool was_open = w.images.open;
        if (auto image =
                image_of(w.records[i - 1], w.images, w.budget_tokens - w.used_tokens - cost)) {
            turn.images.push_back(std::move(image->part));
            cost += image->tokens;
        }
        if (was_open && !w.images.open) {
            kept.overflowed = true;
            if (w.stop_at_hidden_image) {
                --w.images.left_out;  // its record stays out of the window altogether
                kept.stopped_at_image = true;
                break;
            }
        }
        w.used_tokens += cost;
        kept.newest_first.push_back(std::move(turn));
        kept.first_kept = i - 1;
    }
    return kept;
}

// invitee_history since_join: a member that an AI invited sees the room from its join record
// on (the opening and its invite, in its system prompt, still reach it); anyone else sees all.
std::size_t history_floor(const config::room& room, const room_state& state,
                          std::span<const core::record> records, int slot) {
    const member_state* member = state.member(slot);
    if (room.invitee_history != config::invitee_history::since_join || member == nullptr ||
        member->invited_by.empty() || member->invited_by == "config") {
        return 0;
    }
    const auto join =
        std::lower_bound(records.begin(), records.end(), member->joined_seq,
                         [](const core::record& r, std::int64_t seq) { return r.seq < seq; });
    return static_cast<std::size_t>(join - records.begin());
}

// Where the member's window starts: its last trim's from_seq (records are in seq order).
std::size_t window_start(const room_state& state, std::span<const core::record> records, int slot) {
    const member_state* member = state.member(slot);
    if (member == nullptr || member->window_from_seq <= 0) {
        return 0;
    }
    const auto start =
        std::lower_bound(records.begin(), records.end(), member->window_from_seq,
                         [](const core::record& r, std::int64_t seq) { return r.seq < seq; });
    return static_cast<std::size_t>(start - records.begin());
}

struct walked {
    window kept;
    walk done;  // what the walk used and which images it showed
};

walked walk_from(walk w, render_cache& cache) {
    window kept = walk_back(w, cache);
    return {std::move(kept), w};
}

bool keeps_records(const window& kept) {
    return kept.newest_first.size() > (kept.opening_reached ? 1U : 0U);
}

// The window when the member's overflows: the newest records that fit in half of what the
// budget leaves beside the system prompt and the opening, so that the next turns only append to
// it. An image too large for that half is still shown when the whole budget holds it (the
// window then ends before the first image it cannot show); when not even the newest record
// fits, the full budget's window stands.
walked trimmed_window(const walk& from_start, walked full, render_cache& cache) {
    walk half = from_start;
    const std::size_t spare = half.budget_tokens - std::min(half.budget_tokens, half.used_tokens);
    half.budget_tokens = half.used_tokens + spare / 2;
    half.stop_at_hidden_image = true;
    walked trimmed = walk_from(half, cache);
    if (trimmed.kept.stopped_at_image) {
        walk whole = from_start;
        whole.stop_at_hidden_image = true;
        walked with_image = walk_from(whole, cache);
        if (keeps_records(with_image.kept)) {
            return with_image;
        }
    }
    return keeps_records(trimmed.kept) ? std::move(trimmed) : std::move(full);
}

// The seq a window that starts at records[index] is said to start from.
std::int64_t seq_at(std::span<const core::record> records, std::size_t index) {
    if (index < records.size()) {
        return records[index].seq;
    }
    return records.empty() ? 1 : records.back().seq + 1;
}

}  // namespace

rendered_view render_within(const config::room& room, const room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens, render_cache& cache,
                            const image_rules& images) {
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
    const std::size_t floor = history_floor(room, state, records, slot);
    const std::size_t start = std::max(floor, window_start(state, records, slot));
    const image_allowance allowance{images,
                                    budget_tokens - std::min(budget_tokens, view.estimated_tokens)};
    const walk from_start{records,  opening, start, slot, budget_tokens, view.estimated_tokens,
                          allowance};
    walked result = walk_from(from_start, cache);
    if (result.kept.overflowed) {
        result = trimmed_window(from_start, std::move(result), cache);
        view.trimmed_from_seq = seq_at(records, result.kept.first_kept);
    }
    window& kept = result.kept;
    view.estimated_tokens = result.done.used_tokens;
    view.images = result.done.images.count;
    view.images_left_out = result.done.images.left_out;
    cache.note_window(state, slot, kept.first_kept);
    // Counted, not scanned, so that the cost stays with the window: operator records before
    // it count too, which only matters for the number, never for whether trimming happened.
    // Records before the floor are not the budget's doing: they never count as dropped.
    const bool opening_apart = opening_turn && !kept.opening_reached;
    const bool opening_in_window = opening_apart && *opening >= floor;
    view.dropped = kept.first_kept - floor - (opening_in_window ? 1 : 0);
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
                            std::size_t budget_tokens, const image_rules& images) {
    render_cache cache;
    return render_within(room, state, records, slot, budget_tokens, cache, images);
}

providers::conversation render(const config::room& room, const room_state& state,
                               std::span<const core::record> records, int slot,
                               const image_rules& images) {
    return render_within(room, state, records, slot, std::numeric_limits<std::size_t>::max(),
                         images)
        .conversation;
}

}  // namespace polylogue::room
