#pragma once
// The payload of a polylogue_records notice, as the postgres store's append sends it.

#include <optional>
#include <string_view>

#include "polylogue/transcript/record_listener.hpp"

namespace polylogue::transcript {

inline constexpr std::string_view records_channel = "polylogue_records";

// "<last_seq> <room>" (the room may hold spaces); nullopt for anything else.
std::optional<record_notice> parse_record_notice(std::string_view payload);

}  // namespace polylogue::transcript
