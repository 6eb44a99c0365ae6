#include <algorithm>
#include <unordered_map>

#include "config/sections.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

// Names are case-insensitive everywhere (commands type them), so "Stage" repeats "stage".
void report_duplicates(const std::vector<located<std::string>>& names, std::string_view what,
                       reporter& report) {
    std::unordered_map<std::string, const located<std::string>*> first;
    for (const located<std::string>& name : names) {
        const auto [earlier, inserted] = first.try_emplace(core::ascii_lower(name.value), &name);
        if (!inserted) {
            report.error(name.mark, "duplicate " + std::string{what} + " '" + name.value +
                                        "'; first at " + position_text(earlier->second->mark));
        }
    }
}

// Index of the first name equal to wanted, ASCII case-insensitively.
std::optional<std::size_t> find_name(const std::vector<std::string>& names,
                                     std::string_view wanted) {
    const std::string lower = core::ascii_lower(wanted);
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (core::ascii_lower(names[i]) == lower) {
            return i;
        }
    }
    return std::nullopt;
}

// "; did you mean 'x'?", or "; <listing> 'a', 'b'", or "; <none>".
std::string alternatives(std::string_view wanted, const std::vector<std::string>& names,
                         std::string_view listing, std::string_view none) {
    if (names.empty()) {
        return "; " + std::string{none};
    }
    const std::string hint = did_you_mean(wanted, names);
    return "; " + (hint.empty() ? std::string{listing} + " " + quoted_list(names) : hint);
}

// What a model may and must say depends on its provider's kind: a script for scripted ones, an id
// for the others.
void check_provider_use(model_draft& model, const provider& used, reporter& report) {
    const std::string owner = model.name_mark ? "model '" + model.value.name + "'" : "a model";
    const std::string kind{to_string(used.kind)};
    if (used.kind == provider_kind::scripted) {
        if (!model.script_key) {
            report.error(model.mark,
                         owner + " uses scripted provider '" + used.name + "' and needs a script");
        }
        if (model.id_key) {
            report.error(*model.id_key, "id is only for openai, anthropic and gemini providers; '" +
                                            used.name + "' is of kind scripted");
        }
        return;
    }
    if (model.script_key) {
        report.error(*model.script_key, "script is only for scripted providers; '" + used.name +
                                            "' is of kind " + kind);
        model.script.reset();
    }
    if (!model.id_key) {
        report.error(model.mark, owner + " uses " + kind + " provider '" + used.name +
                                     "' and needs an id (the provider's name for the model)");
    }
}

void check_providers(config_draft& draft, reporter& report) {
    std::vector<std::string> names;
    std::vector<located<std::string>> located_names;
    for (const provider_draft& p : draft.providers) {
        names.push_back(p.value.name);
        located_names.push_back({p.value.name, p.mark});
    }
    report_duplicates(located_names, "provider name", report);
    for (model_draft& model : draft.models) {
        if (!model.provider) {
            continue;
        }
        const std::optional<std::size_t> index = find_name(names, model.provider->value);
        if (!index) {
            report.error(model.provider->mark,
                         "provider '" + model.provider->value + "' is not defined" +
                             alternatives(model.provider->value, names, "defined providers are",
                                          "no providers are defined"));
            continue;
        }
        const provider_draft& used = draft.providers[*index];
        model.value.provider = used.value.name;
        if (used.valid) {
            check_provider_use(model, used.value, report);
        }
    }
}

// selector names a model of the catalogue, and only a room whose turn_order is selector has one.
void check_selector(room_draft& room, const std::vector<std::string>& catalogue, reporter& report) {
    const bool wanted = room.value.turn_order == turn_order::selector;
    if (!room.selector) {
        if (wanted) {
            report.error(room.turn_order_mark,
                         "turn_order selector needs a selector: the model that picks who speaks");
        }
        return;
    }
    if (!wanted) {
        report.error(room.selector->mark, "selector is only used with turn_order: selector");
        return;
    }
    const std::optional<std::size_t> index = find_name(catalogue, room.selector->value);
    if (!index) {
        report.error(room.selector->mark,
                     "selector '" + room.selector->value + "' is not in the models catalogue" +
                         alternatives(room.selector->value, catalogue, "the models are",
                                      "the catalogue is empty"));
        return;
    }
    room.value.selector = catalogue[*index];
}

void check_members(room_draft& room, const std::vector<std::string>& catalogue, reporter& report) {
    std::vector<std::size_t> seated;  // catalogue indexes, in slot order
    for (const located<std::string>& member : room.members) {
        const std::optional<std::size_t> index = find_name(catalogue, member.value);
        if (!index) {
            report.error(member.mark, "'" + member.value + "' is not in the models catalogue" +
                                          alternatives(member.value, catalogue, "the models are",
                                                       "the catalogue is empty"));
            continue;
        }
        const auto slot = std::find(seated.begin(), seated.end(), *index);
        if (slot != seated.end()) {
            report.error(member.mark, "'" + member.value +
                                          "' is already a member of this room (AI-" +
                                          std::to_string(slot - seated.begin() + 1) + ")");
            continue;
        }
        seated.push_back(*index);
        room.value.members.push_back(catalogue[*index]);
        const std::size_t written = static_cast<std::size_t>(&member - room.members.data());
        if (written < room.talkativeness.size()) {
            room.value.talkativeness.emplace_back(catalogue[*index], room.talkativeness[written]);
        }
    }
    check_selector(room, catalogue, report);
    if (room.members.size() > static_cast<std::size_t>(room.value.max_ais)) {
        report.error(room.members_mark, "the room has " + std::to_string(room.members.size()) +
                                            " members but max_ais is " +
                                            std::to_string(room.value.max_ais));
    }
}

std::string wrong_family(const tool& found, bool image, const std::vector<std::string>& family) {
    const std::string wanted = image ? "image" : "search";
    const std::string article = image ? "an " : "a ";
    const std::string other = image ? "a search" : "an image";
    return "tool '" + found.name + "' is " + other + " tool (" +
           std::string{to_string(found.kind)} + "); tools." + wanted + " needs " + article +
           wanted + " tool; " +
           (family.empty() ? "no " + wanted + " tools are defined"
                           : "the " + wanted + " tools are " + quoted_list(family));
}

// Resolves the tool a room names for one family (image or search) into target.
void check_room_tool(const std::optional<located<std::string>>& written, bool image,
                     const std::vector<const tool_draft*>& tools, std::string& target,
                     reporter& report) {
    if (!written) {
        return;
    }
    std::vector<std::string> names;
    std::vector<std::string> family;
    for (const tool_draft* t : tools) {
        names.push_back(t->value.name);
        if (t->valid && t->value.is_image() == image) {
            family.push_back(t->value.name);
        }
    }
    const std::optional<std::size_t> index = find_name(names, written->value);
    if (!index) {
        report.error(written->mark, "tool '" + written->value + "' is not defined" +
                                        alternatives(written->value, names, "defined tools are",
                                                     "no tools are defined"));
    } else if (tools[*index]->valid && tools[*index]->value.is_image() != image) {
        report.error(written->mark, wrong_family(tools[*index]->value, image, family));
    } else {
        target = tools[*index]->value.name;
    }
}

void check_tools(config_draft& draft, reporter& report) {
    std::vector<const tool_draft*> named;
    std::vector<located<std::string>> tool_names;
    for (const tool_draft& t : draft.tools) {
        if (t.name_mark) {
            named.push_back(&t);
            tool_names.push_back({t.value.name, *t.name_mark});
        }
    }
    report_duplicates(tool_names, "tool name", report);
    for (room_draft& room : draft.rooms) {
        check_room_tool(room.image_tool, true, named, room.value.image_tool, report);
        check_room_tool(room.search_tool, false, named, room.value.search_tool, report);
    }
}

}  // namespace

void check_new_room(room_draft& room, const config& base, reporter& report) {
    std::vector<std::string> catalogue;
    for (const model& m : base.models) {
        catalogue.push_back(m.name);
    }
    check_members(room, catalogue, report);
    std::vector<tool_draft> drafts;
    for (const tool& t : base.tools) {
        drafts.push_back(tool_draft{t, YAML::Mark::null_mark(), YAML::Mark::null_mark(), true, {}});
    }
    std::vector<const tool_draft*> named;
    named.reserve(drafts.size());
    for (const tool_draft& t : drafts) {
        named.push_back(&t);
    }
    check_room_tool(room.image_tool, true, named, room.value.image_tool, report);
    check_room_tool(room.search_tool, false, named, room.value.search_tool, report);
}

void check_references(config_draft& draft, reporter& report) {
    check_providers(draft, report);
    std::vector<std::string> catalogue;
    std::vector<located<std::string>> model_names;
    for (const model_draft& model : draft.models) {
        if (model.name_mark) {
            catalogue.push_back(model.value.name);
            model_names.push_back({model.value.name, *model.name_mark});
        }
    }
    report_duplicates(model_names, "model name", report);
    std::vector<located<std::string>> room_names;
    for (room_draft& room : draft.rooms) {
        if (room.name_mark) {
            room_names.push_back({room.value.name, *room.name_mark});
        }
        check_members(room, catalogue, report);
    }
    report_duplicates(room_names, "room name", report);
    check_tools(draft, report);
}

}  // namespace polylogue::config::detail
