#pragma once
// A member's system prompt: pure. It changes only when the room does (someone joins, a tool
// starts or stops failing, the member adds to its instructions), never from turn to turn, so
// that a provider can cache it as a prompt prefix.

#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

// The room's template with {slot} {model} {members} {room} {max_ais} {commands} filled in ("{{"
// and "}}" are literal braces), then the member's invite message and !prompt additions.
std::string render_system_prompt(const config::room& room, const room_state& state, int slot);

// What {commands} becomes: a line per command the room can carry out for this member. !image
// and !search only with the room's tool, marked when its last calls failed; !add_ai and
// !list_models only while seats remain; !temperature only for a model that takes one.
std::string available_commands(const config::room& room, const room_state& state,
                               const member_state& member);

}  // namespace polylogue::room
