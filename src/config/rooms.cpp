#include <utility>

#include "config/sections.hpp"
#include "config/values.hpp"
#include "polylogue/config/human_name.hpp"

namespace polylogue::config::detail {
namespace {

const std::vector<std::string> room_keys{"name",           "members",      "max_ais",
                                         "max_turns",      "turn_delay",   "opening",
                                         "system_prompt",  "max_cost_usd", "suspend_after_failures",
                                         "suspension",     "tools",        "turn_order",
                                         "selector",       "loop_guard",   "max_ai_streak",
                                         "invitee_history"};
const std::vector<std::string> member_keys{"model", "talkativeness"};
const std::vector<std::string> loop_guard_keys{"window", "similarity", "action"};
constexpr int max_loop_window = 50;
const std::vector<std::string> suspension_keys{"cool_down", "max_cool_down", "retries"};
const std::vector<std::string> opening_keys{"speaker", "text"};
const std::vector<std::string> room_tool_keys{"image", "search"};
constexpr int max_turns_limit = 1'000'000;
constexpr int max_ais_limit = 5;
constexpr int max_failures_limit = 100;
constexpr int max_retries_limit = 1000;

void read_room_name(const map_view& view, room_draft& draft, reporter& report) {
    const field* f = view.require("name", "a room");
    const std::optional<std::string> name = f ? read_string(*f, report) : std::nullopt;
    if (!name) {
        return;
    }
    // The name becomes data_dir/logs/NAME.log and the like: it must not climb out of data_dir.
    if (!is_safe_file_name(*name)) {
        report.error(f->value_mark(), "room name '" + *name +
                                          "' must be 1 to 64 characters of A-Z, a-z, 0-9, '.', "
                                          "'_' and '-', not starting with '.' (it names files)");
        return;
    }
    draft.value.name = *name;
    draft.name_mark = f->value_mark();
}

// {model: NAME, talkativeness: 0.8}: a member with its weight in natural turn order.
void read_member_map(const YAML::Node& member, room_draft& draft, reporter& report) {
    const map_view view{member, "a member", member_keys, report};
    const field* model = view.require("model", "a member");
    const std::optional<std::string> name = model ? read_string(*model, report) : std::nullopt;
    double weight = default_talkativeness;
    if (const field* f = view.find("talkativeness")) {
        const std::optional<std::string> text = scalar_text(f->value);
        const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
        if (!value || *value < 0 || *value > 1) {
            report.error(f->value_mark(), "talkativeness must be a number from 0 to 1");
        } else {
            weight = *value;
        }
    }
    if (name && !name->empty()) {
        draft.members.push_back(located<std::string>{*name, model->value_mark()});
        draft.talkativeness.push_back(weight);
    }
}

void read_members(const field& f, room_draft& draft, reporter& report) {
    draft.members_mark = f.value_mark();
    if (!f.value.IsSequence()) {
        report.error(f.value_mark(), expected(f, "a list of model names"));
        return;
    }
    if (f.value.size() == 0) {
        report.error(f.value_mark(), "members must name at least one model");
        return;
    }
    for (const YAML::Node& member : f.value) {
        if (member.IsMap()) {
            read_member_map(member, draft, report);
            continue;
        }
        const std::optional<std::string> name = scalar_text(member);
        if (!name || name->empty()) {
            report.error(member.Mark(),
                         "each member must be a model name, not " +
                             std::string{name ? "an empty string" : node_kind(member)});
            continue;
        }
        draft.members.push_back(located<std::string>{*name, member.Mark()});
        draft.talkativeness.push_back(default_talkativeness);
    }
}

std::optional<std::string> read_speaker(const field& f, reporter& report) {
    std::optional<std::string> speaker = read_string(f, report);
    if (!speaker) {
        return speaker;
    }
    switch (check_human_name(*speaker)) {
        case human_name_verdict::ok:
            return speaker;
        case human_name_verdict::malformed:
            report.error(f.value_mark(),
                         "opening speaker must be 1 to 64 characters, without control "
                         "characters or spaces at either end");
            break;
        case human_name_verdict::ai_slot:
            report.error(f.value_mark(), "opening speaker '" + *speaker +
                                             "' looks like an AI slot; the opening is a human's "
                                             "message, so give a human's name");
            break;
        case human_name_verdict::reserved:
            report.error(f.value_mark(), "opening speaker '" + *speaker +
                                             "' is the name the room's own notices go by; give "
                                             "a human's name");
            break;
    }
    return std::nullopt;
}

std::optional<opening> read_opening(const field& f, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(), expected(f, "a map with a speaker and a text"));
        return std::nullopt;
    }
    const map_view view{f.value, "an opening", opening_keys, report};
    const field* speaker_field = view.require("speaker", "opening");
    const field* text_field = view.require("text", "opening");
    std::optional<std::string> speaker =
        speaker_field ? read_speaker(*speaker_field, report) : std::nullopt;
    std::optional<std::string> text = text_field ? read_string(*text_field, report) : std::nullopt;
    if (!speaker || !text) {
        return std::nullopt;
    }
    return opening{std::move(*speaker), std::move(*text)};
}

void read_system_prompt(const field& f, room& target, reporter& report) {
    std::optional<std::string> prompt = read_string(f, report, true);
    if (!prompt) {
        return;
    }
    for (std::string& problem : template_problems(*prompt)) {
        report.error(f.value_mark(), std::move(problem));
    }
    target.system_prompt = std::move(*prompt);
}

void read_limits(const map_view& view, room& target, reporter& report) {
    if (const field* f = view.find("max_ais")) {
        target.max_ais = read_integer(*f, 1, max_ais_limit, report).value_or(target.max_ais);
    }
    if (const field* f = view.find("suspend_after_failures")) {
        target.suspend_after_failures =
            read_integer(*f, 1, max_failures_limit, report).value_or(target.suspend_after_failures);
    }
}

void read_max_cost(const field& f, room& target, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
    if (!value || *value <= 0) {
        report.error(f.value_mark(), "max_cost_usd must be a number above 0 (US dollars)");
    } else {
        target.max_cost_usd = value;
    }
}

void read_suspension(const field& f, suspension_settings& target, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(
            f.value_mark(),
            expected(f, "a map such as { cool_down: 1m, max_cool_down: 30m, retries: 20 }"));
        return;
    }
    const map_view view{f.value, "suspension", suspension_keys, report};
    for (const auto& [key, slot] : {std::pair{"cool_down", &target.cool_down},
                                    std::pair{"max_cool_down", &target.max_cool_down}}) {
        const field* duration = view.find(key);
        const auto value = duration ? read_duration(*duration, report) : std::nullopt;
        if (value && value->count() == 0) {
            report.error(duration->value_mark(), duration->key + " must be above 0s");
        } else if (value) {
            *slot = *value;
        }
    }
    if (target.max_cool_down < target.cool_down) {
        report.error(f.value_mark(),
                     "suspension: max_cool_down (" + duration_text(target.max_cool_down) +
                         ") is shorter than cool_down (" + duration_text(target.cool_down) + ")");
    }
    if (const field* retries = view.find("retries")) {
        target.retries =
            read_integer(*retries, 0, max_retries_limit, report).value_or(target.retries);
    }
}

// The tool names are checked against the tools section later; here only their form.
void read_room_tools(const field& f, room_draft& draft, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(), expected(f, "a map such as { image: dalle, search: web }"));
        return;
    }
    const map_view view{f.value, "tools", room_tool_keys, report};
    const auto read_name = [&](std::string_view key, std::optional<located<std::string>>& slot) {
        const field* name = view.find(key);
        if (std::optional<std::string> text = name ? read_string(*name, report) : std::nullopt) {
            slot = located<std::string>{std::move(*text), name->value_mark()};
        }
    };
    read_name("image", draft.image_tool);
    read_name("search", draft.search_tool);
}

void read_turn_order_value(const field& f, room& target, reporter& report) {
    const std::optional<std::string> text = read_string(f, report);
    const auto order = text ? turn_order_from_string(*text) : std::nullopt;
    if (text && !order) {
        report.error(f.value_mark(),
                     "turn_order must be one of round_robin, natural, "
                     "random, parallel, selector; not '" +
                         *text + "'");
    } else if (order) {
        target.turn_order = *order;
    }
}

void read_turn_order(const map_view& view, room_draft& draft, reporter& report) {
    if (const field* f = view.find("turn_order")) {
        draft.turn_order_mark = f->value_mark();
    }
    if (const field* f = view.find("selector")) {
        if (std::optional<std::string> name = read_string(*f, report)) {
            draft.selector = located<std::string>{std::move(*name), f->value_mark()};
        }
    }
    if (const field* f = view.find("invitee_history")) {
        const std::optional<std::string> text = read_string(*f, report);
        if (text == "full" || text == "since_join") {
            draft.value.invitee_history =
                *text == "full" ? invitee_history::full : invitee_history::since_join;
        } else if (text) {
            report.error(f->value_mark(),
                         "invitee_history must be full or since_join, not '" + *text + "'");
        }
    }
}

std::optional<loop_guard> read_loop_guard(const field& f, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(),
                     expected(f, "a map such as { window: 4, similarity: 0.8, action: pause }"));
        return std::nullopt;
    }
    const map_view view{f.value, "loop_guard", loop_guard_keys, report};
    loop_guard guard;
    bool valid = true;
    if (const field* window = view.find("window")) {
        const auto value = read_integer(*window, 2, max_loop_window, report);
        valid = valid && value.has_value();
        guard.window = value.value_or(guard.window);
    }
    if (const field* similarity = view.find("similarity")) {
        const std::optional<std::string> text = scalar_text(similarity->value);
        const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
        if (!value || *value <= 0 || *value > 1) {
            report.error(similarity->value_mark(),
                         "loop_guard similarity must be a number above 0 and at most 1");
            valid = false;
        } else {
            guard.similarity = *value;
        }
    }
    if (const field* action = view.find("action")) {
        const std::optional<std::string> text = read_string(*action, report);
        const auto value = text ? loop_action_from_string(*text) : std::nullopt;
        if (!value) {
            report.error(action->value_mark(), "loop_guard action must be notice, pause or end");
            valid = false;
        } else {
            guard.action = *value;
        }
    }
    return valid ? std::optional{guard} : std::nullopt;
}

using setting_reader = void (*)(const field&, room&, reporter&);

// The keys read_room_settings reads, each with its reader.
const std::vector<std::pair<std::string_view, setting_reader>>& setting_readers() {
    static const std::vector<std::pair<std::string_view, setting_reader>> readers{
        {"max_turns",
         [](const field& f, room& target, reporter& report) {
             target.max_turns =
                 read_integer(f, 1, max_turns_limit, report).value_or(target.max_turns);
         }},
        {"turn_delay",
         [](const field& f, room& target, reporter& report) {
             target.turn_delay = read_duration(f, report).value_or(target.turn_delay);
         }},
        {"turn_order", read_turn_order_value},
        {"loop_guard", [](const field& f, room& target,
                          reporter& report) { target.loop_guard = read_loop_guard(f, report); }},
        {"max_ai_streak",
         [](const field& f, room& target, reporter& report) {
             target.max_ai_streak = read_integer(f, 1, max_turns_limit, report);
         }},
        {"max_cost_usd", read_max_cost},
    };
    return readers;
}

}  // namespace

void read_room_settings(const map_view& view, room& target, reporter& report, bool skip_nulls) {
    for (const auto& [key, reader] : setting_readers()) {
        const field* f = view.find(key);
        if (f != nullptr && !(skip_nulls && f->value.IsNull())) {
            reader(*f, target, report);
        }
    }
}

room_draft read_room(const YAML::Node& node, reporter& report) {
    room_draft draft{};
    draft.mark = node.Mark();
    const map_view view{node, "a room", room_keys, report};
    read_room_name(view, draft, report);
    const std::string owner = draft.name_mark ? "room '" + draft.value.name + "'" : "a room";
    if (const field* f = view.require("members", owner)) {
        read_members(*f, draft, report);
    }
    read_limits(view, draft.value, report);
    read_room_settings(view, draft.value, report, false);
    read_turn_order(view, draft, report);
    if (const field* f = view.find("opening")) {
        draft.value.opening = read_opening(*f, report);
    }
    if (const field* f = view.find("system_prompt")) {
        read_system_prompt(*f, draft.value, report);
    }
    if (const field* f = view.find("suspension")) {
        read_suspension(*f, draft.value.suspension, report);
    }
    if (const field* f = view.find("tools")) {
        read_room_tools(*f, draft, report);
    }
    return draft;
}

std::vector<room_draft> read_rooms(const field& section, reporter& report) {
    std::vector<room_draft> rooms;
    if (section.value.IsNull()) {
        return rooms;
    }
    if (!section.value.IsSequence()) {
        report.error(section.value_mark(), expected(section, "a list of rooms"));
        return rooms;
    }
    for (const YAML::Node& node : section.value) {
        if (!node.IsMap()) {
            report.error(node.Mark(), "each room must be a map with a name and members, not " +
                                          std::string{node_kind(node)});
            continue;
        }
        rooms.push_back(read_room(node, report));
    }
    return rooms;
}

}  // namespace polylogue::config::detail
