#pragma once
// Rendering the shared transcript for one speaker: pure. Its own messages become assistant turns;
// everyone else's become user turns prefixed "[AI-n (Model)]: " (humans by name), and every
// other record becomes a "[Polylogue] ..." notice. Attribution comes from record fields only,
// never from the text, so a reply quoting "[AI-5 (Grok 4)]: ..." stays its author's.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/providers/conversation.hpp"
#include "polylogue/room/render_cache.hpp"
#include "polylogue/room/room_state.hpp"
#include "polylogue/room/system_prompt.hpp"

namespace polylogue::room {

// The documented token estimate (docs/config.md, context_tokens): ceil(bytes / 4) + 4 for the
// turn's framing. Cautious on purpose: English averages about 4.5 bytes per token.
std::size_t estimate_tokens(std::string_view text) noexcept;

// How a member sees images (docs/config.md, `vision`): a vision member is shown the file of each
// image record in its window beside the record's notice, newest first while they fit its budget
// and the limits of one request; any other member reads the notice alone.
struct image_rules {
    bool vision = false;
    config::provider_kind api = config::provider_kind::openai;  // whose formats and estimate
};

struct rendered_view {
    providers::conversation conversation;
    std::size_t estimated_tokens = 0;  // system prompt, turns and images, as documented
    std::size_t dropped = 0;           // records before the kept window (0: nothing trimmed)
    // This render trimmed the member's window: it now starts at this seq (the room records it
    // in a context_trimmed record, whose from_seq the next renders start from). 0: no trim.
    std::int64_t trimmed_from_seq = 0;
    std::size_t images = 0;           // image parts in the turns (their files still unread)
    std::size_t images_left_out = 0;  // image records in the window shown as notices only
};

// The conversation within budget_tokens: the system prompt, the room's opening (its first
// message, when a human wrote it before any AI spoke) and the member's window: every record
// from its window's start (its last trim) on, while they fit. When they no longer do, the
// window is trimmed back to the newest records that fit in half of what the budget leaves
// beside the system prompt and the opening (trimmed_from_seq says where it now starts), so that
// consecutive requests of a member share all but their newest turns as a byte-identical prefix,
// which is what a provider's prompt cache bills at a fraction (docs/config.md, context_tokens).
// Walks back from the newest record only as far as the budget reaches, so its cost follows the
// budget, not the length of the room. Operator records (paused, resumed, context_trimmed) are
// never shown to the models.
// cache keeps what this render made for the next one (a room keeps one for its history), so
// that records already rendered cost no per-byte work; the result is the same without it.
rendered_view render_within(const config::room& room, const room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens, render_cache& cache,
                            const image_rules& images = {});
rendered_view render_within(const config::room& room, const room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens, const image_rules& images = {});

// Everything, without a budget.
providers::conversation render(const config::room& room, const room_state& state,
                               std::span<const core::record> records, int slot,
                               const image_rules& images = {});

}  // namespace polylogue::room
