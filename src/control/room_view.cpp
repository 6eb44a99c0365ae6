#include "polylogue/control/room_view.hpp"

#include "polylogue/core/record.hpp"

namespace polylogue::control {

std::string_view room_state_name(const room::room_runner& runner) noexcept {
    if (runner.outcome() == room::room_outcome::failed) {
        return "failed";
    }
    if (runner.state().ended) {
        return "ended";
    }
    if (!runner.running()) {
        return "stopped";
    }
    return runner.state().paused ? "paused" : "running";
}

nlohmann::json room_summary(const room::room_runner& runner) {
    const room::room_state& state = runner.state();
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : state.members) {
        members.push_back({{"slot", m.slot},
                           {"label", core::slot_label(m.slot)},
                           {"model", m.model},
                           {"temperature", m.temperature ? nlohmann::json(*m.temperature)
                                                         : nlohmann::json(nullptr)},
                           {"muted", m.muted},
                           {"suspended", m.suspended},
                           {"exhausted", m.exhausted}});
    }
    return {{"name", runner.room().name},
            {"state", room_state_name(runner)},
            {"end_reason", state.ended ? state.end_reason : runner.failure()},
            {"members", std::move(members)},
            {"max_ais", runner.room().max_ais},
            {"turns", state.ai_turns},
            {"max_turns", runner.room().max_turns},
            {"last_seq", state.last_seq},
            {"input_tokens", state.input_tokens},
            {"output_tokens", state.output_tokens},
            {"cost_usd", state.cost_usd}};
}

}  // namespace polylogue::control
