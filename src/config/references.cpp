#include <algorithm>
#include <unordered_map>

#include "config/sections.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

std::string_view kind_text(provider_kind kind) {
    switch (kind) {
        case provider_kind::openai:
            return "openai";
        case provider_kind::anthropic:
            return "anthropic";
        case provider_kind::gemini:
            return "gemini";
        case provider_kind::scripted:
            break;
    }
    return "scripted";
}

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

void check_script_use(model_draft& model, const provider& used, reporter& report) {
    const std::string owner = model.name_mark ? "model '" + model.value.name + "'" : "a model";
    if (used.kind == provider_kind::scripted && !model.script_key) {
        report.error(model.mark,
                     owner + " uses scripted provider '" + used.name + "' and needs a script");
    } else if (used.kind != provider_kind::scripted && model.script_key) {
        report.error(*model.script_key, "script is only for scripted providers; '" + used.name +
                                            "' is of kind " + std::string{kind_text(used.kind)});
        model.script.reset();
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
            check_script_use(model, used.value, report);
        }
    }
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
    }
    if (room.members.size() > static_cast<std::size_t>(room.value.max_ais)) {
        report.error(room.members_mark, "the room has " + std::to_string(room.members.size()) +
                                            " members but max_ais is " +
                                            std::to_string(room.value.max_ais));
    }
}

}  // namespace

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
}

}  // namespace polylogue::config::detail
