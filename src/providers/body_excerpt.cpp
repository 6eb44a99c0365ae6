#include "providers/body_excerpt.hpp"

#include "polylogue/core/text.hpp"

namespace polylogue::providers {
namespace {

constexpr std::string_view white_space = " \t\r\n\f\v";
// A UTF-8 character is at most four bytes: one that starts before max_bytes ends within three
// bytes past it, so a window this much longer never turns a whole character into U+FFFD.
constexpr std::size_t longest_character_tail = 3;

std::string_view trim_end(std::string_view text) {
    const std::size_t last = text.find_last_not_of(white_space);
    return last == std::string_view::npos ? std::string_view{} : text.substr(0, last + 1);
}

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_bytes) {
    const std::size_t start = text.find_first_not_of(white_space);
    if (start == std::string_view::npos) {
        return {};
    }
    const std::string clean =
        core::sanitize_utf8(text.substr(start, max_bytes + longest_character_tail));
    return std::string{trim_end(core::utf8_prefix(clean, max_bytes))};
}

}  // namespace polylogue::providers
