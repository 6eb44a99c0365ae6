#include "polylogue/room/renderer.hpp"

#include <limits>
#include <optional>

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

std::size_t estimate_tokens(std::string_view text) noexcept {
    return (text.size() + 3) / 4 + 4;
}

namespace {

bool hidden_from_models(const core::record& r) noexcept {
    return r.type == core::record_type::paused || r.type == core::record_type::resumed ||
           r.type == core::record_type::context_trimmed;
}

providers::conversation_turn turn_for(const core::record& r, const std::string& self) {
    if (r.type != core::record_type::message) {
        return {providers::turn_role::user, "[Polylogue] " + transcript::describe(r)};
    }
    if (r.speaker == self) {
        return {providers::turn_role::assistant, r.text};
    }
    const std::string header = r.model.empty() ? r.speaker : r.speaker + " (" + r.model + ")";
    return {providers::turn_role::user, "[" + header + "]: " + r.text};
}

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

}  // namespace

rendered_view render_within(const config::room& room, const room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens) {
    rendered_view view;
    view.conversation.system = render_system_prompt(room, state, slot);
    view.estimated_tokens = estimate_tokens(view.conversation.system);
    const std::string self = core::slot_label(slot);
    const auto opening = opening_index(records);
    std::optional<providers::conversation_turn> opening_turn;
    if (opening) {
        opening_turn = turn_for(records[*opening], self);
        view.estimated_tokens += estimate_tokens(opening_turn->text);
    }
    std::vector<providers::conversation_turn> newest_first;
    std::size_t first_kept = records.size();
    for (std::size_t i = records.size(); i > 0; --i) {
        const core::record& r = records[i - 1];
        if (hidden_from_models(r)) {
            first_kept = i - 1;
            continue;
        }
        if (opening && i - 1 == *opening) {
            // Reached in the walk: it keeps its place (its cost was counted up front).
            newest_first.push_back(std::move(*opening_turn));
            opening_turn.reset();
            first_kept = i - 1;
            continue;
        }
        auto turn = turn_for(r, self);
        const std::size_t cost = estimate_tokens(turn.text);
        if (view.estimated_tokens + cost > budget_tokens) {
            break;
        }
        view.estimated_tokens += cost;
        newest_first.push_back(std::move(turn));
        first_kept = i - 1;
    }
    // Counted, not scanned, so that the cost stays with the window: operator records before
    // it count too, which only matters for the number, never for whether trimming happened.
    view.dropped = first_kept - (opening_turn ? 1 : 0);
    if (opening_turn) {
        view.conversation.turns.push_back(std::move(*opening_turn));
    }
    for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
        view.conversation.turns.push_back(std::move(*it));
    }
    return view;
}

providers::conversation render(const config::room& room, const room_state& state,
                               std::span<const core::record> records, int slot) {
    return render_within(room, state, records, slot, std::numeric_limits<std::size_t>::max())
        .conversation;
}

}  // namespace polylogue::room
