#pragma once
// The JSON shapes of docs/control-api.md that describe a room. Pure.

#include <nlohmann/json.hpp>

#include <string_view>

#include "polylogue/room/room_runner.hpp"

namespace polylogue::control {

// "running", "paused", "ended", "stopped" or "failed".
std::string_view room_state_name(const room::room_runner& runner) noexcept;

// The ROOM object: name, state, end_reason, members, turns, tokens, cost...
nlohmann::json room_summary(const room::room_runner& runner);

}  // namespace polylogue::control
