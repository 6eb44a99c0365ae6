#include "polylogue/config/room_settings.hpp"

#include <algorithm>

#include "config/sections.hpp"
#include "config/values.hpp"
#include "config/yaml_documents.hpp"

namespace polylogue::config {

namespace {

// The body, read by the same YAML reader as the file: positions and messages as check gives
// them. JSON is YAML, so a JSON body reads the same.
std::optional<YAML::Node> settings_document(std::string_view text, detail::reporter& report) {
    detail::yaml_documents documents;
    try {
        documents = detail::read_documents(std::string{text}, detail::room_yaml_limits);
    } catch (const YAML::Exception& error) {
        report.error(error.mark, "syntax error: " + error.msg);
        return std::nullopt;
    } catch (const std::exception& error) {
        report.error(YAML::Mark::null_mark(), std::string{"syntax error: "} + error.what());
        return std::nullopt;
    }
    if (documents.refused || documents.stuck_at || !documents.others.empty()) {
        report.error(YAML::Mark::null_mark(), "the body is one JSON object");
        return std::nullopt;
    }
    return documents.first;
}

bool nothing_found(const refusal& found) {
    return found.problems.empty() && found.unlisted_problems == 0;
}

}  // namespace

const std::vector<std::string>& patchable_room_keys() {
    static const std::vector<std::string> keys{"max_turns",  "turn_delay",    "turn_order",
                                               "loop_guard", "max_ai_streak", "max_cost_usd"};
    return keys;
}

nlohmann::json room_setting_value(const room& r, std::string_view key) {
    if (key == "max_turns") {
        return r.max_turns;
    }
    if (key == "turn_delay") {
        return detail::duration_text(r.turn_delay);
    }
    if (key == "turn_order") {
        return std::string{to_string(r.turn_order)};
    }
    if (key == "loop_guard" && r.loop_guard) {
        return {{"window", r.loop_guard->window},
                {"similarity", r.loop_guard->similarity},
                {"action", std::string{to_string(r.loop_guard->action)}}};
    }
    if (key == "max_ai_streak" && r.max_ai_streak) {
        return *r.max_ai_streak;
    }
    if (key == "max_cost_usd" && r.max_cost_usd) {
        return *r.max_cost_usd;
    }
    return nullptr;
}

result<std::string, refusal> validate_room_settings(std::string_view body, const room& base,
                                                    std::string_view source) {
    refusal found;
    detail::reporter report{found.problems, found.unlisted_problems, std::string{source}};
    const std::string expected =
        "the body is a JSON object of one or more of " + detail::quoted_list(patchable_room_keys());
    const auto parsed = body.size() > max_room_settings_bytes
                            ? nlohmann::json{}
                            : nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_object() || parsed.empty()) {
        report.error_without_position(expected);
        return found;
    }
    const std::optional<YAML::Node> root = settings_document(body, report);
    if (!root || !root->IsMap()) {
        if (nothing_found(found)) {
            report.error_without_position(expected);
        }
        return found;
    }
    const detail::map_view view{*root, "the room settings", patchable_room_keys(), report};
    room changed = base;
    detail::read_room_settings(view, changed, report, true);
    const detail::field* order = view.find("turn_order");
    if (order != nullptr && changed.turn_order == turn_order::selector && base.selector.empty()) {
        report.error(order->value_mark(),
                     "turn_order selector needs a selector, and room '" + base.name +
                         "' names none in the config file; add one there first");
    }
    if (!nothing_found(found)) {
        return found;
    }
    nlohmann::json normalized = nlohmann::json::object();
    for (const detail::field& f : view.fields()) {
        normalized[f.key] =
            f.value.IsNull() ? nlohmann::json(nullptr) : room_setting_value(changed, f.key);
    }
    return normalized.dump();
}

room effective_room(const room& base, std::string_view settings) {
    room out = base;
    if (settings.empty() || settings == "{}" || settings.size() > max_room_settings_bytes) {
        return out;
    }
    std::vector<diagnostic> ignored;  // a transcript's settings were valid when recorded
    std::size_t unlisted = 0;
    detail::reporter report{ignored, unlisted, "settings"};
    const std::optional<YAML::Node> root = settings_document(settings, report);
    if (!root || !root->IsMap()) {
        return out;
    }
    const detail::map_view view{*root, "the room settings", patchable_room_keys(), report};
    detail::read_room_settings(view, out, report, true);
    if (out.turn_order == turn_order::selector && out.selector.empty()) {
        out.turn_order = base.turn_order;  // the file no longer names a selector
    }
    return out;
}

std::vector<std::string> overridden_room_keys(std::string_view settings) {
    const auto parsed = nlohmann::json::parse(settings, nullptr, false);
    std::vector<std::string> keys;
    if (!parsed.is_object()) {
        return keys;
    }
    for (const std::string& key : patchable_room_keys()) {
        if (parsed.contains(key)) {
            keys.push_back(key);
        }
    }
    return keys;
}

}  // namespace polylogue::config
