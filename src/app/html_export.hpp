#pragma once
// `polylogue transcript --format html`: a room's transcript as one self-contained page (no
// external CSS, script, font or image; images embedded as data: URLs) that a person can read and
// share. Pure: images come through an image_loader (transcript::read_image_file in the CLI).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::app {

// The bytes of an image given its path relative to data_dir (as image records hold it), or
// nullopt when they cannot be had. The page shows a placeholder then; the export goes on.
using image_loader = std::function<std::optional<std::string>(const std::string& relative_path)>;

// A tool's image is a few megabytes; anything far larger is not one, and would bloat the page.
inline constexpr std::uintmax_t max_embedded_image_bytes = 32 * 1024 * 1024;

struct html_export_input {
    std::string room_name;
    const config::room* room = nullptr;       // its settings (max_turns, budget); null when unknown
    std::span<const core::record> records;    // what to show, in seq order (maybe a part)
    const room::room_state* state = nullptr;  // folded over the whole transcript; required
};

// The page: a header (room, members with model, temperature and state, turns taken of the
// maximum, why it ended or that it has not, tokens, cost, the time span) and every record in
// order. Image paths that are not confined are never passed to load_image.
std::string export_html(const html_export_input& input, const image_loader& load_image);

}  // namespace polylogue::app
