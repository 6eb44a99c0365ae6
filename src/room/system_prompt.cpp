#include "polylogue/room/system_prompt.hpp"

#include <string_view>

namespace polylogue::room {
namespace {

// A failing tool's reason is quoted in the prompt this far at most.
constexpr std::size_t max_failure_bytes = 200;

std::string member_list(const room_state& state) {
    std::string list;
    for (const auto& m : state.members) {
        if (!m.left) {
            list += (list.empty() ? "" : ", ") + core::slot_label(m.slot) + " (" + m.model + ")";
        }
    }
    return list;
}

// Cut at a character boundary: the reason may be any UTF-8 a provider sent.
std::string shortened(std::string_view text) {
    if (text.size() <= max_failure_bytes) {
        return std::string{text};
    }
    std::size_t end = max_failure_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        --end;
    }
    return std::string{text.substr(0, end)} + "…";
}

std::string failing_note(std::string_view tool, const tool_health& health) {
    if (health.failures_in_a_row == 0) {
        return {};
    }
    const std::string calls =
        health.failures_in_a_row == 1
            ? "its last call failed"
            : "its last " + std::to_string(health.failures_in_a_row) + " calls failed";
    return "    (the room's " + std::string{tool} + " tool is failing: " + calls + "; " +
           shortened(health.last_failure) + ")\n";
}

std::string command_line(std::string_view usage, std::string_view meaning) {
    constexpr std::size_t column = 41;
    std::string line = "  " + std::string{usage};
    line.append(line.size() < column ? column - line.size() : 1, ' ');
    return line + std::string{meaning} + "\n";
}

std::string placeholder_value(std::string_view name, const config::room& room,
                              const room_state& state, const member_state& member) {
    if (name == "slot") {
        return core::slot_label(member.slot);
    }
    if (name == "model") {
        return member.model;
    }
    if (name == "members") {
        return member_list(state);
    }
    if (name == "room") {
        return room.name;
    }
    if (name == "max_ais") {
        return std::to_string(room.max_ais);
    }
    if (name == "commands") {
        return available_commands(room, state, member);
    }
    return "{" + std::string{name} + "}";  // validated away by the config; kept visible if not
}

std::string fill_template(std::string_view text, const config::room& room, const room_state& state,
                          const member_state& member) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
            out += text[i++];
            continue;
        }
        const auto close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
        if (close == std::string_view::npos) {
            out += text[i];
            continue;
        }
        out += placeholder_value(text.substr(i + 1, close - i - 1), room, state, member);
        i = close;
    }
    return out;
}

}  // namespace

std::string available_commands(const config::room& room, const room_state& state,
                               const member_state& member) {
    const bool seats_left = state.present() < room.max_ais;
    std::string text =
        "You may use these commands anywhere in a message; they take effect when it is sent:\n";
    if (!room.image_tool.empty()) {
        text += command_line("!image \"prompt\"", "create an image and show it to the room");
        text += failing_note("image", state.image_tool);
    }
    if (seats_left) {
        text += command_line("!add_ai \"Model Name\" \"invite message\"",
                             "invite another model, by its exact name, while seats remain");
    }
    if (member.temperature) {
        text += command_line("!temperature X", "set your own sampling temperature");
    }
    if (!room.search_tool.empty()) {
        text += command_line("!search \"query\"", "search the web and share what you find");
        text += failing_note("search", state.search_tool);
    }
    text += command_line("!mute_self", "sit out your next turn and let the others talk");
    text += command_line("!prompt \"text\"", "add a line to your own instructions");
    if (seats_left) {
        text += command_line("!list_models", "see which models can be invited");
    }
    return text;
}

std::string render_system_prompt(const config::room& room, const room_state& state, int slot) {
    const member_state* member = state.member(slot);
    if (member == nullptr) {
        return {};
    }
    const std::string_view text =
        room.system_prompt.empty() ? config::default_system_prompt() : room.system_prompt;
    std::string prompt = fill_template(text, room, state, *member);
    if (!member->invite.empty()) {
        prompt += "\n\n" + member->invited_by + " invited you with this message: \"" +
                  member->invite + "\"";
    }
    if (!member->prompt_additions.empty()) {
        prompt += "\n\nYou added to your own instructions:\n" + member->prompt_additions;
    }
    return prompt;
}

}  // namespace polylogue::room
