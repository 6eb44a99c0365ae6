#include "polylogue/room/command_planner.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "polylogue/room/catalogue_match.hpp"

namespace polylogue::room {
namespace {

using core::command_status;
using core::record;

struct planner {
    room_state state;  // a working copy: a second !add_ai in one message sees the first
    int slot;
    const planning_rules& rules;
    std::vector<record> out;
    std::vector<tool_job> tool_jobs;

    member_state& speaker() { return *state.member(slot); }

    record& outcome(const commands::parsed_command& c, command_status status, std::string detail) {
        record r;
        r.type = core::record_type::command;
        r.speaker = core::slot_label(slot);
        r.model = speaker().model;
        r.command = c.name;
        r.args = c.args;
        r.status = status;
        r.detail = std::move(detail);
        out.push_back(std::move(r));
        return out.back();
    }

    void add_ai(const commands::parsed_command& c);
    void temperature(const commands::parsed_command& c);
    void prompt(const commands::parsed_command& c);
    void list_models(const commands::parsed_command& c);
    void use_tool(const commands::parsed_command& c, tool_job::tool kind);
    void carry_out(const commands::parsed_command& c);
};

std::string format_number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

void planner::add_ai(const commands::parsed_command& c) {
    const auto match = match_model(rules.catalogue, c.args.front());
    const member_state* present = match.model ? state.find_model(match.model->name) : nullptr;
    if (present != nullptr) {
        outcome(c, command_status::rejected,
                match.model->name + " is already here as " + core::slot_label(present->slot));
        return;
    }
    if (state.present() >= rules.max_ais) {
        outcome(c, command_status::rejected,
                "maximum of " + std::to_string(rules.max_ais) + " AIs already reached");
        return;
    }
    if (match.model == nullptr) {
        outcome(c, command_status::rejected, match.problem);
        return;
    }
    const int new_slot = static_cast<int>(state.members.size()) + 1;
    outcome(c, command_status::ok, match.model->name + " joined as " + core::slot_label(new_slot));
    record join;
    join.type = core::record_type::join;
    join.speaker = core::slot_label(new_slot);
    join.model = match.model->name;
    join.invited_by = core::slot_label(slot);
    join.invite = c.args.size() > 1 ? c.args[1] : std::string{};
    if (match.model->temperature_range) {
        join.value = match.model->temperature;
    }
    apply(state, join);
    out.push_back(std::move(join));
}

void planner::temperature(const commands::parsed_command& c) {
    const config::model* model = nullptr;
    for (const auto& m : rules.catalogue) {
        model = m.name == speaker().model ? &m : model;
    }
    if (model == nullptr || !model->temperature_range) {
        outcome(c, command_status::rejected, speaker().model + " takes no temperature");
        return;
    }
    const std::string& text = c.args.front();
    double asked = 0;
    const char* first = text.data() + (text.starts_with('+') ? 1 : 0);
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), asked);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(asked)) {
        outcome(c, command_status::rejected, "\"" + text + "\" is not a number");
        return;
    }
    const auto [low, high] = *model->temperature_range;
    const double applied = std::clamp(asked, low, high);
    std::string detail = "temperature set to " + format_number(applied);
    if (applied != asked) {
        detail += " (asked " + format_number(asked) + ", clamped to the range " +
                  format_number(low) + "–" + format_number(high) + ")";
    }
    record& r = outcome(c, command_status::ok, std::move(detail));
    r.value = applied;
    if (applied != asked) {
        r.requested = asked;
    }
    apply(state, r);
}

void planner::prompt(const commands::parsed_command& c) {
    const std::size_t used = code_points(speaker().prompt_additions);
    const std::size_t wanted = code_points(c.args.front());
    if (used + wanted > max_prompt_additions) {
        outcome(c, command_status::rejected,
                "prompt additions are limited to " + std::to_string(max_prompt_additions) +
                    " characters (" + std::to_string(used) + " used, this adds " +
                    std::to_string(wanted) + ")");
        return;
    }
    apply(state, outcome(c, command_status::ok,
                         "added to " + core::slot_label(slot) + "'s system prompt"));
}

void planner::list_models(const commands::parsed_command& c) {
    std::string names;
    for (const auto& m : rules.catalogue) {
        if (state.find_model(m.name) == nullptr) {
            names += (names.empty() ? "" : ", ") + m.name + (m.vision ? " (sees images)" : "");
        }
    }
    std::string detail = names.empty() ? "every model in the catalogue is already here"
                                       : "models you can invite: " + names;
    if (state.present() >= rules.max_ais) {
        detail += " (but the room is full: maximum of " + std::to_string(rules.max_ais) + " AIs)";
    }
    outcome(c, command_status::ok, std::move(detail));
}

void planner::use_tool(const commands::parsed_command& c, tool_job::tool kind) {
    outcome(c, command_status::ok, {});
    tool_jobs.push_back({kind, out.size() - 1, c.args.front()});
}

void planner::carry_out(const commands::parsed_command& c) {
    using commands::command_name;
    if (c.status == commands::parse_status::rejected) {
        outcome(c, command_status::rejected, c.detail);
        return;
    }
    switch (c.name) {
        case command_name::add_ai:
            return add_ai(c);
        case command_name::temperature:
            return temperature(c);
        case command_name::prompt:
            return prompt(c);
        case command_name::list_models:
            return list_models(c);
        case command_name::mute_self:
            apply(state, outcome(c, command_status::ok,
                                 core::slot_label(slot) + " will sit out its next turn"));
            return;
        case command_name::image:
            rules.image_tool ? use_tool(c, tool_job::tool::image)
                             : (void)outcome(c, command_status::unavailable,
                                             "no image tool is configured for this room");
            return;
        case command_name::search:
            rules.search_tool ? use_tool(c, tool_job::tool::search)
                              : (void)outcome(c, command_status::unavailable,
                                              "no search tool is configured for this room");
            return;
    }
}

}  // namespace

command_plan plan_commands(const room_state& state, int speaker_slot,
                           std::span<const commands::parsed_command> parsed,
                           const planning_rules& rules) {
    planner p{state, speaker_slot, rules, {}, {}};
    if (p.state.member(speaker_slot) == nullptr) {
        return {};
    }
    for (const auto& c : parsed) {
        p.carry_out(c);
    }
    return {std::move(p.out), std::move(p.tool_jobs)};
}

}  // namespace polylogue::room
