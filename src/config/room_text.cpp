#include "polylogue/config/room_text.hpp"

#include <nlohmann/json.hpp>

#include "config/values.hpp"

namespace polylogue::config {

namespace {

nlohmann::json members_json(const room& r) {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& name : r.members) {
        if (r.talkativeness_of(name) != default_talkativeness) {
            members.push_back({{"model", name}, {"talkativeness", r.talkativeness_of(name)}});
        } else {
            members.push_back(name);
        }
    }
    return members;
}

void add_turn_keys(const room& r, nlohmann::json& out) {
    out["turn_order"] = std::string{to_string(r.turn_order)};
    if (!r.selector.empty()) {
        out["selector"] = r.selector;
    }
    if (r.loop_guard) {
        out["loop_guard"] = {{"window", r.loop_guard->window},
                             {"similarity", r.loop_guard->similarity},
                             {"action", std::string{to_string(r.loop_guard->action)}}};
    }
    if (r.max_ai_streak) {
        out["max_ai_streak"] = *r.max_ai_streak;
    }
    out["invitee_history"] = std::string{to_string(r.invitee_history)};
}

void add_optional_keys(const room& r, nlohmann::json& out) {
    if (r.opening) {
        out["opening"] = {{"speaker", r.opening->speaker}, {"text", r.opening->text}};
    }
    if (!r.system_prompt.empty()) {
        out["system_prompt"] = r.system_prompt;
    }
    if (r.max_cost_usd) {
        out["max_cost_usd"] = *r.max_cost_usd;
    }
    nlohmann::json tools = nlohmann::json::object();
    if (!r.image_tool.empty()) {
        tools["image"] = r.image_tool;
    }
    if (!r.search_tool.empty()) {
        tools["search"] = r.search_tool;
    }
    if (!tools.empty()) {
        out["tools"] = std::move(tools);
    }
}

}  // namespace

std::string room_text(const room& r) {
    nlohmann::json out{{"name", r.name},
                       {"members", members_json(r)},
                       {"max_ais", r.max_ais},
                       {"max_turns", r.max_turns},
                       {"turn_delay", detail::duration_text(r.turn_delay)},
                       {"suspend_after_failures", r.suspend_after_failures},
                       {"suspension",
                        {{"cool_down", detail::duration_text(r.suspension.cool_down)},
                         {"max_cool_down", detail::duration_text(r.suspension.max_cool_down)},
                         {"retries", r.suspension.retries}}}};
    add_turn_keys(r, out);
    add_optional_keys(r, out);
    return out.dump(2) + "\n";
}

}  // namespace polylogue::config
