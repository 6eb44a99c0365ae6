#pragma once
// The JSON shapes of docs/control-api.md that describe a room. Pure.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string_view>

#include "polylogue/room/room_handle.hpp"

namespace polylogue::control {

// "running", "paused", "ended", "stopped" or "failed".
std::string_view room_state_name(const room::room_handle& handle) noexcept;

// Of the room's input tokens, the share read from providers' prompt caches: 0 to 1, 0 before
// any input was reported.
double cached_input_share(const room::room_state& state) noexcept;

// The ROOM object: name, state, end_reason, members, turns, tokens, cost...
nlohmann::json room_summary(const room::room_handle& handle);

// The settings an operator may change (PATCH), as the room runs by them.
nlohmann::json room_settings(const room::room_handle& handle);

// The records of a history (in seq order) with seq > after.
std::span<const core::record> records_after(std::span<const core::record> history,
                                            std::int64_t after) noexcept;

}  // namespace polylogue::control
