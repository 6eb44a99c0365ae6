#pragma once
// Strict parsing of the scalar values a configuration holds. Pure and total: any text in, a
// value or nullopt out. Strict so that "1.5abc", "+5" or "2 seconds" are refused, not guessed.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polylogue::config::detail {

std::optional<long long> parse_integer(std::string_view text) noexcept;

// Finite numbers only: "nan" and "inf" are no temperature.
std::optional<double> parse_number(std::string_view text) noexcept;

// "500ms", "1.5s", "2m", "0s": a non-negative decimal and a unit, no space between. nullopt
// when malformed or not a whole number of milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

// YAML 1.2's booleans: true, True, TRUE, false, False, FALSE. Not yes/no/on/off, which YAML 1.1
// also read as booleans and which a user more likely meant as words.
std::optional<bool> parse_bool(std::string_view text) noexcept;

// "2m", "1500ms", "30s": the shortest way parse_duration reads back.
std::string duration_text(std::chrono::milliseconds duration);

// YYYY-MM-DD with a month 01..12 and a day 01..31.
bool is_iso_date(std::string_view text) noexcept;

// Unicode code points in UTF-8 text (continuation bytes are not counted).
std::size_t character_count(std::string_view text) noexcept;

// 1..64 characters of [A-Za-z0-9._-], not starting with '.': it becomes a file name.
bool is_safe_file_name(std::string_view name) noexcept;

// 1..64 characters, no control characters, no spaces at either end; forbid_quotes also refuses
// '"' (model names are quoted in !add_ai, where a quote would end the name).
bool is_clean_name(std::string_view name, bool forbid_quotes) noexcept;

// The placeholders a system_prompt template may use, as "{slot}" etc.
const std::vector<std::string>& known_placeholders();

// What is wrong with a system_prompt template, one message per distinct problem; empty when it
// is fine. Placeholders are {name}; "{{" and "}}" are literal braces.
std::vector<std::string> template_problems(std::string_view text);

}  // namespace polylogue::config::detail
