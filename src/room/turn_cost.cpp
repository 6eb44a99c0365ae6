#include "room/turn_cost.hpp"

#include <algorithm>
#include <cstdio>

#include "polylogue/commands/parser.hpp"

namespace polylogue::room {

namespace {

double price_of_tool(const config::config& cfg, const std::string& name) {
    const config::tool* tool = name.empty() ? nullptr : cfg.find_tool(name);
    return tool ? tool->price_per_call_usd : 0.0;
}

}  // namespace

std::string usd(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value >= 1.0 ? "$%.2f" : "$%.4f", value);
    return text;
}

void note_usage(core::record& r, const providers::token_usage& usage, const config::model* model) {
    r.input_tokens = usage.input_tokens;
    r.output_tokens = usage.output_tokens;
    if (usage.cached_input_tokens > 0) {
        r.cached_input_tokens = usage.cached_input_tokens;
    }
    if (usage.cache_write_tokens > 0) {
        r.cache_write_tokens = usage.cache_write_tokens;
    }
    if (model != nullptr && model->price) {
        r.cost_usd =
            config::reply_cost_usd(*model->price, usage.input_tokens, usage.cached_input_tokens,
                                   usage.cache_write_tokens, usage.output_tokens);
    }
}

turn_cost_bound worst_case_cost(const config::config& cfg, const config::room& room,
                                const config::model& model, std::size_t prompt_tokens) {
    turn_cost_bound bound;
    bound.prompt_tokens = prompt_tokens;
    bound.max_tokens = model.max_tokens;
    if (model.price) {
        bound.priced = true;
        bound.usd = config::worst_reply_cost_usd(*model.price, prompt_tokens, model.max_tokens);
    }
    bound.tool_price =
        std::max(price_of_tool(cfg, room.image_tool), price_of_tool(cfg, room.search_tool));
    if (bound.tool_price > 0) {
        // Every command a reply may carry out could be a call of the dearest tool.
        bound.tool_calls = static_cast<int>(commands::max_commands_per_message);
        bound.usd += bound.tool_calls * bound.tool_price;
    }
    return bound;
}

std::string describe_bound(const turn_cost_bound& bound) {
    std::string parts;
    if (bound.priced) {
        parts = "about " + std::to_string(bound.prompt_tokens) + " prompt tokens and " +
                std::to_string(bound.max_tokens) + " max_tokens at its price";
    }
    if (bound.tool_calls > 0) {
        parts += (parts.empty() ? "" : ", and ") + std::to_string(bound.tool_calls) +
                 " tool calls at " + usd(bound.tool_price);
    }
    return "up to " + usd(bound.usd) + (parts.empty() ? "" : " (" + parts + ")");
}

std::optional<std::string> room_cap_refusal(const room_state& state, const config::room& room,
                                            const turn_cost_bound& bound,
                                            std::string_view speaker) {
    if (!room.max_cost_usd || state.cost_usd + bound.usd <= *room.max_cost_usd) {
        return std::nullopt;
    }
    const double left = std::max(0.0, *room.max_cost_usd - state.cost_usd);
    return "the next turn would not fit in max_cost_usd: " + std::string{speaker} +
           " could spend " + describe_bound(bound) + ", and " + usd(left) + " of " +
           usd(*room.max_cost_usd) + " is left (" + usd(state.cost_usd) + " spent)";
}

std::string budget_pause_text(const daily_budget::verdict& verdict, const turn_cost_bound& bound,
                              std::string_view speaker, std::string_view resume_at) {
    const std::string spent = usd(verdict.spent) + " of budget_usd_per_day " + usd(verdict.limit) +
                              " spent by every room since 00:00 UTC";
    const std::string why =
        verdict.spent >= verdict.limit
            ? "the daily budget is spent: " + spent
            : "the daily budget cannot pay for the next turn: " + std::string{speaker} +
                  " could spend " + describe_bound(bound) + ", and " + spent;
    return "The room was paused: " + why + "; it resumes at " + std::string{resume_at} +
           " (the next UTC day), or when a reload raises budget_usd_per_day";
}

}  // namespace polylogue::room
