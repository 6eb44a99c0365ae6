#include "polylogue/room/renderer.hpp"

#include "polylogue/transcript/format.hpp"

namespace polylogue::room {
namespace {

std::string member_list(const room_state& state) {
    std::string list;
    for (const auto& m : state.members) {
        list += (list.empty() ? "" : ", ") + core::slot_label(m.slot) + " (" + m.model + ")";
    }
    return list;
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

providers::conversation render(const config::room& room, const room_state& state,
                               std::span<const core::record> records, int slot) {
    providers::conversation out;
    out.system = render_system_prompt(room, state, slot);
    const std::string self = core::slot_label(slot);
    for (const auto& r : records) {
        if (r.type == core::record_type::paused || r.type == core::record_type::resumed) {
            continue;  // the operator's business, not part of the conversation
        }
        if (r.type != core::record_type::message) {
            out.turns.push_back(
                {providers::turn_role::user, "[Polylogue] " + transcript::describe(r)});
        } else if (r.speaker == self) {
            out.turns.push_back({providers::turn_role::assistant, r.text});
        } else {
            const std::string header =
                r.model.empty() ? r.speaker : r.speaker + " (" + r.model + ")";
            out.turns.push_back({providers::turn_role::user, "[" + header + "]: " + r.text});
        }
    }
    return out;
}

}  // namespace polylogue::room
