#pragma once
// Small text utilities shared by several modules. All are pure and total: any bytes in, a
// well-defined answer out.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace polylogue::core {

// Replaces every invalid UTF-8 sequence with U+FFFD and drops NUL bytes, so that what we store,
// log and serialize as JSON is always valid UTF-8.
std::string sanitize_utf8(std::string_view bytes);

// RFC 3339 UTC with millisecond precision: 2026-11-29T04:30:00.123Z.
std::string format_rfc3339(std::chrono::system_clock::time_point when);

// Reads back exactly what format_rfc3339 writes; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// ASCII case folding; names in Polylogue (commands, model names) compare case-insensitively.
std::string ascii_lower(std::string_view text);

// An absolute http:// or https:// URL (the scheme in any case) with a host, and no spaces or
// control characters: the only URLs that become links anywhere (never javascript:, data: or a
// relative one).
bool is_web_url(std::string_view url) noexcept;

// Levenshtein distance, bounded: returns limit + 1 as soon as the distance exceeds limit.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

// The longest prefix of text of at most max_bytes that does not split a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) noexcept;

}  // namespace polylogue::core
