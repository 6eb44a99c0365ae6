#include "polylogue/config/human_name.hpp"

#include <cstdint>
#include <string>

#include "config/values.hpp"

namespace polylogue::config {
namespace {

// The next code point of text at i (advancing i); U+FFFD for a malformed sequence.
char32_t next_code_point(std::string_view text, std::size_t& i) noexcept {
    const auto byte = static_cast<unsigned char>(text[i++]);
    const int length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : 4;
    char32_t point = length == 1 ? byte : static_cast<char32_t>(byte & (0x3F >> (length - 1)));
    for (int k = 1; k < length; ++k) {
        if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            return U'\uFFFD';
        }
        point = (point << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
    }
    return point;
}

bool is_separator(char32_t c) noexcept {
    return c == U' ' || c == U'-' || c == U'_' || c == U'.' || c == U'\u00A0' || c == U'\u00AD' ||
           (c >= U'\u2000' && c <= U'\u2015') || (c >= U'\u2028' && c <= U'\u202F') ||
           (c >= U'\u205F' && c <= U'\u2064') || c == U'\u2212' || c == U'\u3000' ||
           c == U'\uFE58' || c == U'\uFE63' || c == U'\uFEFF' || c == U'\uFF0D' || c == U'\uFF0E' ||
           c == U'\uFF3F';
}

// A code point as the ASCII character it passes for, lower case; 0 for anything else.
char fold(char32_t c) noexcept {
    if (c < 0x80) {
        const char ascii = static_cast<char>(c);
        return ascii >= 'A' && ascii <= 'Z' ? static_cast<char>(ascii - 'A' + 'a') : ascii;
    }
    if (c >= U'\uFF10' && c <= U'\uFF19') {
        return static_cast<char>('0' + (c - U'\uFF10'));
    }
    if (c >= U'\uFF21' && c <= U'\uFF3A') {
        return static_cast<char>('a' + (c - U'\uFF21'));
    }
    if (c >= U'\uFF41' && c <= U'\uFF5A') {
        return static_cast<char>('a' + (c - U'\uFF41'));
    }
    switch (c) {
        case U'\u0391':
        case U'\u03B1':
        case U'\u0410':
        case U'\u0430':  // Α α А а
            return 'a';
        case U'\u0399':
        case U'\u03B9':
        case U'\u0406':
        case U'\u0456':  // Ι ι І і
        case U'\u04C0':
        case U'\u2160':
        case U'\u217C':  // Ӏ Ⅰ ⅼ
            return 'i';
        default:
            return 0;
    }
}

// The name without separators, folded; code points that pass for no ASCII character become
// '?', which is not alphanumeric but no separator either.
std::string folded(std::string_view name) {
    std::string out;
    for (std::size_t i = 0; i < name.size();) {
        const char32_t c = next_code_point(name, i);
        if (!is_separator(c)) {
            const char ascii = fold(c);
            out += ascii == 0 ? '?' : ascii;
        }
    }
    return out;
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool is_alphanumeric(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'z');
}

// "ai" (or "al": a lower-case L passes for an I), digits, then nothing or a non-alphanumeric
// character such as the "(" of "AI-1 (Model)".
bool reads_as_ai_slot(const std::string& name) {
    if (name.size() < 3 || name[0] != 'a' || (name[1] != 'i' && name[1] != 'l') ||
        !is_digit(name[2])) {
        return false;
    }
    std::size_t end = 2;
    while (end < name.size() && is_digit(name[end])) {
        ++end;
    }
    return end == name.size() || !is_alphanumeric(name[end]);
}

// Brackets, quotes and the like around the name ("[Polylogue]") do not make it another name.
bool reads_as_polylogue(const std::string& name) {
    std::size_t first = 0;
    std::size_t last = name.size();
    while (first < last && !is_alphanumeric(name[first])) {
        ++first;
    }
    while (last > first && !is_alphanumeric(name[last - 1])) {
        --last;
    }
    return std::string_view{name}.substr(first, last - first) == "polylogue";
}

}  // namespace

human_name_verdict check_human_name(std::string_view name) {
    if (!detail::is_clean_name(name, false)) {
        return human_name_verdict::malformed;
    }
    const std::string squeezed = folded(name);  // 64 characters at most: small
    if (reads_as_ai_slot(squeezed)) {
        return human_name_verdict::ai_slot;
    }
    return reads_as_polylogue(squeezed) ? human_name_verdict::reserved : human_name_verdict::ok;
}

}  // namespace polylogue::config
