#include "polylogue/config/config.hpp"

#include <algorithm>

#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Names are compared the way users type them in commands: ASCII case-insensitively. No
// allocation, so the find functions can stay noexcept.
bool same_name(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return lower(x) == lower(y); });
}

template <class Item>
const Item* find_named(const std::vector<Item>& items, std::string_view name) noexcept {
    const auto found = std::find_if(items.begin(), items.end(),
                                    [&](const Item& item) { return same_name(item.name, name); });
    return found == items.end() ? nullptr : &*found;
}

// {commands} lists only what the room can carry out (room/system_prompt.cpp), so that models are
// never told of a tool the room lacks.
constexpr std::string_view default_prompt =
    "You are {slot}, the model {model}, in the room \"{room}\": a group conversation among AIs.\n"
    "Present now: {members}. The room seats at most {max_ais} AIs, and humans may join in.\n"
    "Speak as yourself, answer what the others said, disagree when you disagree; keep it brief.\n"
    "{commands}";

}  // namespace

std::string_view to_string(turn_order order) noexcept {
    switch (order) {
        case turn_order::round_robin:
            return "round_robin";
        case turn_order::natural:
            return "natural";
        case turn_order::random:
            return "random";
        case turn_order::parallel:
            return "parallel";
        case turn_order::selector:
            return "selector";
    }
    return "unknown";
}

std::optional<turn_order> turn_order_from_string(std::string_view name) noexcept {
    for (const auto order : {turn_order::round_robin, turn_order::natural, turn_order::random,
                             turn_order::parallel, turn_order::selector}) {
        if (to_string(order) == name) {
            return order;
        }
    }
    return std::nullopt;
}

std::string_view to_string(loop_action action) noexcept {
    switch (action) {
        case loop_action::notice:
            return "notice";
        case loop_action::pause:
            return "pause";
        case loop_action::end:
            return "end";
    }
    return "unknown";
}

std::optional<loop_action> loop_action_from_string(std::string_view name) noexcept {
    for (const auto action : {loop_action::notice, loop_action::pause, loop_action::end}) {
        if (to_string(action) == name) {
            return action;
        }
    }
    return std::nullopt;
}

std::string_view to_string(invitee_history history) noexcept {
    return history == invitee_history::full ? "full" : "since_join";
}

double room::talkativeness_of(std::string_view model) const noexcept {
    for (const auto& [member_model, weight] : talkativeness) {
        if (same_name(member_model, model)) {
            return weight;
        }
    }
    return default_talkativeness;
}

const model* config::find_model(std::string_view name) const noexcept {
    return find_named(models, name);
}

const provider* config::find_provider(std::string_view name) const noexcept {
    return find_named(providers, name);
}

const room* config::find_room(std::string_view name) const noexcept {
    return find_named(rooms, name);
}

const tool* config::find_tool(std::string_view name) const noexcept {
    return find_named(tools, name);
}

double reply_cost_usd(const price& rates, std::int64_t input, std::int64_t cached,
                      std::int64_t written, std::int64_t output) {
    // A provider's parts never exceed its whole; if one says so anyway, no token is counted
    // twice.
    cached = std::clamp<std::int64_t>(cached, 0, std::max<std::int64_t>(input, 0));
    written = std::clamp<std::int64_t>(written, 0, std::max<std::int64_t>(input - cached, 0));
    const std::int64_t plain = std::max<std::int64_t>(input - cached - written, 0);
    const double usd_per_mtok =
        static_cast<double>(plain) * rates.input_per_mtok +
        static_cast<double>(cached) * rates.cached_input_per_mtok.value_or(rates.input_per_mtok) +
        static_cast<double>(written) * rates.cache_write_per_mtok.value_or(rates.input_per_mtok) +
        static_cast<double>(std::max<std::int64_t>(output, 0)) * rates.output_per_mtok;
    return usd_per_mtok / 1e6;
}

double worst_input_per_mtok(const price& rates) {
    return std::max({rates.input_per_mtok, rates.cached_input_per_mtok.value_or(0.0),
                     rates.cache_write_per_mtok.value_or(0.0)});
}

double worst_reply_cost_usd(const price& rates, std::size_t prompt_tokens, int max_tokens) {
    return (static_cast<double>(prompt_tokens) * worst_input_per_mtok(rates) +
            static_cast<double>(max_tokens) * rates.output_per_mtok) /
           1e6;
}

std::string_view to_string(provider_kind kind) noexcept {
    switch (kind) {
        case provider_kind::scripted:
            return "scripted";
        case provider_kind::openai:
            return "openai";
        case provider_kind::anthropic:
            return "anthropic";
        case provider_kind::gemini:
            return "gemini";
    }
    return "unknown";
}

std::string_view to_string(tool_kind kind) noexcept {
    switch (kind) {
        case tool_kind::openai_images:
            return "openai_images";
        case tool_kind::gemini_image:
            return "gemini_image";
        case tool_kind::openrouter_image:
            return "openrouter_image";
        case tool_kind::searxng:
            return "searxng";
        case tool_kind::brave:
            return "brave";
        case tool_kind::tavily:
            return "tavily";
    }
    return "unknown";
}

std::string_view default_system_prompt() noexcept {
    return default_prompt;
}

std::string diagnostic::to_string() const {
    if (line <= 0) {
        return file + ": " + message;
    }
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

}  // namespace polylogue::config
