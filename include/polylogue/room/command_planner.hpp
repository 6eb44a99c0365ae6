#pragma once
// What the commands of one message do to the room: pure. Given the state after the message,
// the parsed commands and the room's rules, it returns the records to commit (command outcomes
// and joins), without seq or time; the caller stamps and commits them with the message.

#include <span>
#include <string_view>
#include <vector>

#include "polylogue/commands/parser.hpp"
#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

// !prompt additions may hold this many characters (code points) in all, per member.
inline constexpr std::size_t max_prompt_additions = 2000;

struct planning_rules {
    std::span<const config::model> catalogue;
    int max_ais = 5;
    bool image_tool = false;   // the room names an image tool: !image is carried out
    bool search_tool = false;  // likewise !search
};

// The detail of an !image or !search command the room's tool is still to carry out; the room
// replaces it with the tool's outcome before committing.
inline constexpr std::string_view tool_pending = "queued for the room's tool";

std::vector<core::record> plan_commands(const room_state& state, int speaker_slot,
                                        std::span<const commands::parsed_command> parsed,
                                        const planning_rules& rules);

}  // namespace polylogue::room
