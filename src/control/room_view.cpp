#include "polylogue/control/room_view.hpp"

#include <algorithm>

#include "polylogue/config/room_settings.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::control {

std::string_view room_state_name(const room::room_handle& handle) noexcept {
    if (handle.outcome() == room::room_outcome::failed) {
        return "failed";
    }
    if (handle.state().ended) {
        return "ended";
    }
    if (!handle.running()) {
        return "stopped";
    }
    return handle.state().paused ? "paused" : "running";
}

double cached_input_share(const room::room_state& state) noexcept {
    if (state.input_tokens <= 0) {
        return 0;
    }
    // A provider that reports more cached tokens than its whole prompt never makes it over 1.
    const double share =
        static_cast<double>(state.cached_input_tokens) / static_cast<double>(state.input_tokens);
    return std::clamp(share, 0.0, 1.0);
}

nlohmann::json room_summary(const room::room_handle& handle) {
    const room::room_state& state = handle.state();
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : state.members) {
        members.push_back({{"slot", m.slot},
                           {"label", core::slot_label(m.slot)},
                           {"model", m.model},
                           {"temperature", m.temperature ? nlohmann::json(*m.temperature)
                                                         : nlohmann::json(nullptr)},
                           {"muted", m.muted},
                           {"suspended", m.suspended},
                           {"exhausted", m.exhausted},
                           {"left", m.left}});
    }
    nlohmann::json summary = {{"name", handle.room().name},
                              {"state", room_state_name(handle)},
                              {"end_reason", state.ended ? state.end_reason : handle.failure()},
                              {"members", std::move(members)},
                              {"max_ais", handle.room().max_ais},
                              {"turns", state.ai_turns},
                              {"max_turns", handle.effective().max_turns},
                              {"last_seq", state.last_seq},
                              {"input_tokens", state.input_tokens},
                              {"cached_input_tokens", state.cached_input_tokens},
                              {"cache_write_tokens", state.cache_write_tokens},
                              {"cached_input_share", cached_input_share(state)},
                              {"output_tokens", state.output_tokens},
                              {"cost_usd", state.cost_usd},
                              {"archived", state.archived},
                              {"settings", room_settings(handle)},
                              {"overridden", config::overridden_room_keys(state.settings)}};
    if (!state.origin.empty()) {  // a fork: where it came from
        summary["origin"] = state.origin;
        summary["origin_seq"] = state.origin_seq;
    }
    return summary;
}

nlohmann::json room_settings(const room::room_handle& handle) {
    nlohmann::json settings = nlohmann::json::object();
    for (const std::string& key : config::patchable_room_keys()) {
        settings[key] = config::room_setting_value(handle.effective(), key);
    }
    return settings;
}

std::span<const core::record> records_after(std::span<const core::record> history,
                                            std::int64_t after) noexcept {
    const auto first =
        std::upper_bound(history.begin(), history.end(), after,
                         [](std::int64_t seq, const core::record& r) { return seq < r.seq; });
    return history.subspan(static_cast<std::size_t>(first - history.begin()));
}

}  // namespace polylogue::control
