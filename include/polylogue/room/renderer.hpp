#pragma once
// Rendering the shared transcript for one speaker: pure. Its own messages become assistant turns;
// everyone else's become user turns prefixed "[AI-n (Model)]: " (humans by name), and every
// other record becomes a "[Polylogue] ..." notice. Attribution comes from record fields only,
// never from the text, so a reply quoting "[AI-5 (Grok 4)]: ..." stays its author's.

#include <span>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/providers/conversation.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

// The system prompt: the room's template with {slot} {model} {members} {room} {max_ais} filled
// in ("{{" and "}}" are literal braces), then the member's invite message and !prompt additions.
std::string render_system_prompt(const config::room& room, const room_state& state, int slot);

providers::conversation render(const config::room& room, const room_state& state,
                               std::span<const core::record> records, int slot);

}  // namespace polylogue::room
