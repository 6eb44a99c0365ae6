#pragma once
// The room keys an operator may change while a room runs (PATCH /v1/rooms/ROOM): validated as
// the config file's own, recorded as settings_changed, and laid over the file's room. Pure.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/core/error.hpp"

namespace polylogue::config {

// max_turns, turn_delay, turn_order, loop_guard, max_ai_streak, max_cost_usd.
const std::vector<std::string>& patchable_room_keys();

// The largest settings body read.
inline constexpr std::size_t max_room_settings_bytes = 16 * 1024;

// A key's value in room as the config writes it ("2s", "natural", {window: 4, ...}); null when
// the room has none (no loop_guard, no max_cost_usd).
nlohmann::json room_setting_value(const room& r, std::string_view key);

// Validates body, a JSON object of patchable keys, as the config file's room keys are, for the
// room base (the file's room: a selector turn order needs the selector it names). A key set to
// null goes back to the file's value. Returns the keys given, normalized (durations as "2s",
// a loop_guard with every field), as a JSON object's text; or the problems, located in source.
result<std::string, refusal> validate_room_settings(std::string_view body, const room& base,
                                                    std::string_view source);

// base with settings laid over it: settings is a JSON object of patchable keys as
// validate_room_settings writes them (the fold's room_state::settings). What does not read is
// left at base's value.
room effective_room(const room& base, std::string_view settings);

// The patchable keys that settings sets, in patchable_room_keys() order.
std::vector<std::string> overridden_room_keys(std::string_view settings);

}  // namespace polylogue::config
