#pragma once
// A validated room written back as a rooms entry (JSON, which the YAML loader reads), so that a
// room made by the daemon (a fork) is kept in data_dir/rooms/NAME.yaml like one sent over the
// API, and validated again when it is read. Pure.

#include <string>

#include "polylogue/config/config.hpp"

namespace polylogue::config {

// Text that parse_room reads back as a room equal to r.
std::string room_text(const room& r);

}  // namespace polylogue::config
