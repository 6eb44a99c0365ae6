#pragma once
// What the commands of one message do to the room: pure. Given the state after the message,
// the parsed commands and the room's rules, it returns the records to commit (command outcomes
// and joins), without seq or time; the caller stamps and commits them with the message.

#include <span>
#include <string>
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

// An !image or !search the room's tool is to carry out before the turn is committed. Its command
// record is planned ok with an empty detail: the room fills in the tool's outcome.
struct tool_job {
    enum class tool { image, search };
    tool kind = tool::image;
    std::size_t command = 0;  // index of the command record in its plan's records
    std::string argument;     // the prompt or the query
};

struct command_plan {
    std::vector<core::record> records;
    std::vector<tool_job> tool_jobs;  // in the order of their commands
};

command_plan plan_commands(const room_state& state, int speaker_slot,
                           std::span<const commands::parsed_command> parsed,
                           const planning_rules& rules);

}  // namespace polylogue::room
