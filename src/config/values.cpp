#include "config/values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace polylogue::config::detail {
namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool is_word_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_control(char c) noexcept {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

// Milliseconds per unit; 0 for an unknown unit.
std::int64_t unit_millis(std::string_view unit) noexcept {
    if (unit == "ms") {
        return 1;
    }
    if (unit == "s") {
        return 1000;
    }
    if (unit == "m") {
        return 60'000;
    }
    return 0;
}

// Digits only, at most max_digits of them (so the arithmetic below cannot overflow).
std::optional<std::int64_t> parse_digits(std::string_view digits, std::size_t max_digits) noexcept {
    if (digits.empty() || digits.size() > max_digits ||
        !std::all_of(digits.begin(), digits.end(), is_digit)) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (const char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

std::optional<long long> parse_integer(std::string_view text) noexcept {
    long long value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> parse_number(std::string_view text) noexcept {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    const auto unit_start =
        std::find_if(text.begin(), text.end(), [](char c) { return !is_digit(c) && c != '.'; });
    const auto number_length = static_cast<std::size_t>(unit_start - text.begin());
    const std::int64_t factor = unit_millis(text.substr(number_length));
    const std::string_view number = text.substr(0, number_length);
    const std::size_t dot = number.find('.');
    const auto whole = parse_digits(number.substr(0, dot), 12);
    if (factor == 0 || !whole) {
        return std::nullopt;
    }
    std::int64_t millis = *whole * factor;
    if (dot != std::string_view::npos) {
        const std::string_view fraction_digits = number.substr(dot + 1);
        const auto fraction = parse_digits(fraction_digits, 9);
        if (!fraction) {
            return std::nullopt;
        }
        std::int64_t scale = 1;
        for (std::size_t i = 0; i < fraction_digits.size(); ++i) {
            scale *= 10;
        }
        // The clock ticks in whole milliseconds; "0.5ms" is refused rather than rounded.
        if (*fraction * factor % scale != 0) {
            return std::nullopt;
        }
        millis += *fraction * factor / scale;
    }
    return std::chrono::milliseconds{millis};
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
    if (text == "true" || text == "True" || text == "TRUE") {
        return true;
    }
    if (text == "false" || text == "False" || text == "FALSE") {
        return false;
    }
    return std::nullopt;
}

std::string duration_text(std::chrono::milliseconds duration) {
    const auto millis = duration.count();
    if (millis != 0 && millis % 60'000 == 0) {
        return std::to_string(millis / 60'000) + "m";
    }
    if (millis % 1000 == 0) {
        return std::to_string(millis / 1000) + "s";
    }
    return std::to_string(millis) + "ms";
}

bool is_iso_date(std::string_view text) noexcept {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return false;
    }
    const auto year = parse_digits(text.substr(0, 4), 4);
    const auto month = parse_digits(text.substr(5, 2), 2);
    const auto day = parse_digits(text.substr(8, 2), 2);
    return year && month && day && *month >= 1 && *month <= 12 && *day >= 1 && *day <= 31;
}

std::size_t character_count(std::string_view text) noexcept {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

bool is_safe_file_name(std::string_view name) noexcept {
    const auto allowed = [](char c) { return is_word_char(c) || c == '.' || c == '-'; };
    return !name.empty() && name.size() <= 64 && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), allowed);
}

bool is_clean_name(std::string_view name, bool forbid_quotes) noexcept {
    const std::size_t length = character_count(name);
    if (length == 0 || length > 64 || name.front() == ' ' || name.back() == ' ') {
        return false;
    }
    return std::none_of(name.begin(), name.end(),
                        [&](char c) { return is_control(c) || (forbid_quotes && c == '"'); });
}

const std::vector<std::string>& known_placeholders() {
    static const std::vector<std::string> names{"{slot}", "{model}",   "{members}",
                                                "{room}", "{max_ais}", "{commands}"};
    return names;
}

std::vector<std::string> template_problems(std::string_view text) {
    std::vector<std::string> problems;
    const auto add = [&](std::string message) {
        if (std::find(problems.begin(), problems.end(), message) == problems.end()) {
            problems.push_back(std::move(message));
        }
    };
    const auto& known = known_placeholders();
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            i += 2;
            continue;
        }
        if (c == '}') {
            add("stray '}' in system_prompt; write '}}' for a literal brace");
        } else if (c == '{') {
            std::size_t end = i + 1;
            while (end < text.size() && is_word_char(text[end])) {
                ++end;
            }
            if (end == i + 1 || end == text.size() || text[end] != '}') {
                add("stray '{' in system_prompt; write '{{' for a literal brace");
            } else {
                const std::string placeholder{text.substr(i, end - i + 1)};
                if (std::find(known.begin(), known.end(), placeholder) == known.end()) {
                    add("unknown placeholder '" + placeholder +
                        "' in system_prompt; the known ones are {slot} {model} {members} {room} "
                        "{max_ais} {commands}");
                }
                i = end;
            }
        }
        ++i;
    }
    return problems;
}

}  // namespace polylogue::config::detail
