#include "room/addressees.hpp"

#include <algorithm>
#include <string>

namespace polylogue::room {
namespace {

// Letters, digits, '_' and any byte of a multi-byte UTF-8 character: what a whole word is made of.
bool is_word(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
           (u >= 'A' && u <= 'Z') || u == '_';
}

bool is_blank(char c) noexcept {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_nocase(std::string_view text, std::size_t at, std::string_view prefix) noexcept {
    if (text.size() - at < prefix.size()) {
        return false;
    }
    for (std::size_t k = 0; k < prefix.size(); ++k) {
        if (lower(text[at + k]) != lower(prefix[k])) {
            return false;
        }
    }
    return true;
}

// The text with its code (``` fenced blocks, `inline` spans) blanked out. An unclosed fence runs
// to the end, as Markdown has it; a lone backtick is just a character. Each search starts where
// the last one ended, so this is linear.
std::string without_code(std::string_view text) {
    std::string visible{text};
    std::size_t i = 0;
    while (i < visible.size()) {
        if (visible[i] != '`') {
            ++i;
            continue;
        }
        std::size_t end = std::string::npos;
        if (visible.compare(i, 3, "```") == 0) {
            const std::size_t close = visible.find("```", i + 3);
            end = close == std::string::npos ? visible.size() : close + 3;
        } else {
            const std::size_t close = visible.find('`', i + 1);
            if (close == std::string::npos) {
                break;  // no backtick after this one: nothing more is code
            }
            end = close + 1;
        }
        std::fill(visible.begin() + static_cast<std::ptrdiff_t>(i),
                  visible.begin() + static_cast<std::ptrdiff_t>(end), ' ');
        i = end;
    }
    return visible;
}

struct found {
    std::size_t length = 0;  // 0: nothing here
    int slot = 0;            // a label's slot; 0: a name, see name_index
    std::size_t name_index = 0;
};

// "AI-<digits>" at i, as a whole token.
found label_at(std::string_view text, std::size_t i) {
    if (!starts_with_nocase(text, i, "ai-")) {
        return {};
    }
    std::size_t j = i + 3;
    int slot = 0;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9' && j - i < 9) {
        slot = slot * 10 + (text[j] - '0');
        ++j;
    }
    if (j == i + 3 || (j < text.size() && is_word(text[j]))) {
        return {};
    }
    return {j - i, slot, 0};
}

// The longest display name at i that ends a word (or ends in a character that is not one).
found name_at(std::string_view text, std::size_t i, const std::vector<addressable>& members) {
    found best;
    for (std::size_t m = 0; m < members.size(); ++m) {
        const std::string_view name = members[m].name;
        if (name.empty() || name.size() <= best.length || !starts_with_nocase(text, i, name)) {
            continue;
        }
        const std::size_t end = i + name.size();
        if (end < text.size() && is_word(name.back()) && is_word(text[end])) {
            continue;
        }
        best = {name.size(), 0, m};
    }
    return best;
}

void add_once(std::vector<int>& slots, int slot) {
    if (std::find(slots.begin(), slots.end(), slot) == slots.end()) {
        slots.push_back(slot);
    }
}

}  // namespace

std::vector<int> addressees(std::string_view text, const std::vector<addressable>& members) {
    const std::string visible =
        without_code(text.substr(0, std::min(text.size(), max_scanned_bytes)));
    std::vector<int> slots;
    std::size_t i = 0;
    while (i < visible.size()) {
        // Inside a word nothing begins, and no label or name begins with blank space.
        if ((i > 0 && is_word(visible[i - 1])) || is_blank(visible[i])) {
            ++i;
            continue;
        }
        if (const found label = label_at(visible, i); label.length > 0) {
            const bool present =
                std::any_of(members.begin(), members.end(),
                            [&](const addressable& m) { return m.slot == label.slot; });
            if (present) {
                add_once(slots, label.slot);
            }
            i += label.length;
            continue;
        }
        if (const found name = name_at(visible, i, members); name.length > 0) {
            for (const addressable& m : members) {
                if (m.name.size() == members[name.name_index].name.size() &&
                    starts_with_nocase(m.name, 0, members[name.name_index].name)) {
                    add_once(slots, m.slot);
                }
            }
            i += name.length;
            continue;
        }
        ++i;
    }
    return slots;
}

}  // namespace polylogue::room
