#pragma once
// One transcript record as a piece of the exported page: messages as chat bubbles, images as
// figures, search results as lists of links, everything else as a compact line. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "html_export.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::app {

// A record's RFC 3339 time, split for reading: "29 Nov 2026" and "04:30:00".
struct readable_time {
    std::string date;
    std::string clock;
};
std::optional<readable_time> read_time(std::string_view rfc3339);

// The CSS class giving a speaker its colour: "s1".."s8" for AI slots (stable per slot), "human"
// for a person, "room" for room-level records.
std::string speaker_class(std::string_view speaker);

// "1" for AI-1; a person's initial.
std::string avatar_text(std::string_view speaker);

// 1234567 → "1,234,567".
std::string group_digits(std::int64_t value);

// " (980,000 cached, 12,000 written)": what of an input was read from or written to a prompt
// cache, each part only when there was some; empty when neither.
std::string cache_parts(std::int64_t cached, std::int64_t written);

// Dollars: four decimals below one dollar (model calls cost fractions of a cent), else two.
std::string format_usd(double value);

std::string record_html(const core::record& r, const image_loader& load_image);

}  // namespace polylogue::app
