#include "lexer.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace polylogue::commands::lexer {
namespace {

constexpr std::size_t npos = std::string_view::npos;

unsigned byte_at(std::string_view text, std::size_t pos) noexcept {
    return static_cast<unsigned char>(text[pos]);
}

bool is_continuation(unsigned byte) noexcept {
    return (byte & 0xC0U) == 0x80U;
}

struct code_point {
    std::uint32_t value = 0;
    std::size_t size = 0;
};

// Strict UTF-8: overlong forms, surrogates and values past U+10FFFF are invalid.
std::optional<code_point> decode_at(std::string_view text, std::size_t pos) noexcept {
    const unsigned lead = byte_at(text, pos);
    if (lead < 0x80U) {
        return code_point{lead, 1};
    }
    code_point result;
    unsigned low = 0x80U;
    unsigned high = 0xBFU;
    if (lead >= 0xC2U && lead <= 0xDFU) {
        result = {lead & 0x1FU, 2};
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        result = {lead & 0x0FU, 3};
        low = lead == 0xE0U ? 0xA0U : low;
        high = lead == 0xEDU ? 0x9FU : high;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        result = {lead & 0x07U, 4};
        low = lead == 0xF0U ? 0x90U : low;
        high = lead == 0xF4U ? 0x8FU : high;
    } else {
        return std::nullopt;
    }
    if (text.size() - pos < result.size) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < result.size; ++i) {
        const unsigned byte = byte_at(text, pos + i);
        const bool fits = i == 1 ? byte >= low && byte <= high : is_continuation(byte);
        if (!fits) {
            return std::nullopt;
        }
        result.value = (result.value << 6U) | (byte & 0x3FU);
    }
    return result;
}

// Latin letters, Greek to Latin Extended Additional, kana to Hangul (CJK included) and the
// compatibility ideographs / Arabic forms: scripts whose words run into a '!' with no space.
bool is_word_code_point(std::uint32_t cp) noexcept {
    if (cp < 0x80U) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    }
    return (cp >= 0xC0U && cp <= 0x24FU && cp != 0xD7U && cp != 0xF7U) ||
           (cp >= 0x370U && cp <= 0x1FFFU) || (cp >= 0x3040U && cp <= 0xD7FFU) ||
           (cp >= 0xF900U && cp <= 0xFDFFU);
}

}  // namespace

bool word_char_at(std::string_view text, std::size_t pos) noexcept {
    if (pos >= text.size()) {
        return false;
    }
    const auto decoded = decode_at(text, pos);
    return decoded && is_word_code_point(decoded->value);
}

bool word_char_before(std::string_view text, std::size_t pos) noexcept {
    if (pos == 0 || pos > text.size()) {
        return false;
    }
    // A code point is at most four bytes: back up over at most three continuation bytes.
    std::size_t start = pos - 1;
    while (start > 0 && pos - start < 4 && is_continuation(byte_at(text, start))) {
        --start;
    }
    const auto decoded = decode_at(text, start);
    return decoded && start + decoded->size == pos && is_word_code_point(decoded->value);
}

std::optional<opener> opener_at(std::string_view text, std::size_t pos) noexcept {
    const std::string_view rest = text.substr(pos);
    if (rest.starts_with('"')) {
        return opener{quote::straight_double, 1};
    }
    if (rest.starts_with('\'')) {
        return opener{quote::straight_single, 1};
    }
    if (rest.starts_with("\u201C")) {
        return opener{quote::curly_double, 3};
    }
    if (rest.starts_with("\u2018")) {
        return opener{quote::curly_single, 3};
    }
    return std::nullopt;
}

std::string_view closer_of(quote kind) noexcept {
    switch (kind) {
        case quote::straight_double:
            return "\"";
        case quote::straight_single:
            return "'";
        case quote::curly_double:
            return "\u201D";
        case quote::curly_single:
            return "\u2019";
    }
    return "\"";
}

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

std::size_t digits_from(std::string_view text, std::size_t pos) noexcept {
    std::size_t end = pos;
    while (end < text.size() && is_digit(text[end])) {
        ++end;
    }
    return end - pos;
}

}  // namespace

std::size_t number_length(std::string_view text) noexcept {
    const std::size_t sign = text.starts_with('+') || text.starts_with('-') ? 1 : 0;
    const std::size_t integer = digits_from(text, sign);
    std::size_t end = sign + integer;
    if (end + 1 < text.size() && text[end] == '.' && is_digit(text[end + 1])) {
        end += 1 + digits_from(text, end + 1);
    } else if (integer == 0) {
        return 0;
    }
    return end;
}

std::size_t quote_finder::closer(quote kind, std::size_t from) {
    auto& known = known_[static_cast<std::size_t>(kind)];
    auto next = known.upper_bound(from);
    if (next != known.begin()) {
        const auto previous = std::prev(next);
        if (from <= previous->second) {
            return previous->second == end_ ? npos : previous->second;
        }
    }
    const std::size_t stop = next == known.end() ? end_ : next->first;
    std::size_t found = scan(kind, from, stop);
    if (found == stop && next != known.end()) {
        found = next->second;
        known.erase(next);
    }
    known.emplace(from, found);
    return found == end_ ? npos : found;
}

// The closer in [from, stop), or stop. A '"' closes when an even number of backslashes precedes
// it; from - 1 is always an opening quote, so counting starts at zero.
std::size_t quote_finder::scan(quote kind, std::size_t from, std::size_t stop) const {
    const std::string_view window = text_.substr(0, stop);
    if (kind == quote::straight_double) {
        std::size_t backslashes = 0;
        for (std::size_t pos = from; pos < stop; ++pos) {
            if (window[pos] == '"' && backslashes % 2 == 0) {
                return pos;
            }
            backslashes = window[pos] == '\\' ? backslashes + 1 : 0;
        }
        return stop;
    }
    // Single quotes double as apostrophes, so only one followed by a non-word character closes.
    const bool needs_boundary = kind != quote::curly_double;
    const std::string_view closer = closer_of(kind);
    for (std::size_t pos = window.find(closer, from); pos != npos;
         pos = window.find(closer, pos + 1)) {
        if (!needs_boundary || !word_char_at(text_, pos + closer.size())) {
            return pos;
        }
    }
    return stop;
}

namespace {

struct fence {
    char marker = '`';
    std::size_t length = 0;
};

// A fence line: up to three spaces, then three or more backticks or tildes.
std::optional<fence> fence_at(std::string_view line) noexcept {
    std::size_t pos = 0;
    while (pos < 3 && pos < line.size() && line[pos] == ' ') {
        ++pos;
    }
    if (pos == line.size() || (line[pos] != '`' && line[pos] != '~')) {
        return std::nullopt;
    }
    const char marker = line[pos];
    const std::size_t run_end = std::min(line.find_first_not_of(marker, pos), line.size());
    if (run_end - pos < 3) {
        return std::nullopt;
    }
    return fence{marker, run_end - pos};
}

std::size_t line_end(std::string_view text, std::size_t pos) noexcept {
    return std::min(text.find('\n', pos), text.size());
}

std::size_t next_line(std::string_view text, std::size_t eol) noexcept {
    return eol < text.size() ? eol + 1 : text.size();
}

}  // namespace

std::optional<span> prose_segments::next() {
    if (done_) {
        return std::nullopt;
    }
    const std::size_t begin = pos_;
    for (std::size_t line = pos_; line < text_.size();) {
        const std::size_t eol = line_end(text_, line);
        if (const auto open = fence_at(text_.substr(line, eol - line))) {
            pos_ = skip_fenced_block(open->marker, open->length, next_line(text_, eol));
            return span{begin, line};
        }
        line = next_line(text_, eol);
    }
    done_ = true;
    return span{begin, text_.size()};
}

// Where the prose after a fenced block starts: past its closing line, or the end of the text.
std::size_t prose_segments::skip_fenced_block(char marker, std::size_t length,
                                              std::size_t from) const {
    for (std::size_t line = from; line < text_.size();) {
        const std::size_t eol = line_end(text_, line);
        const auto close = fence_at(text_.substr(line, eol - line));
        if (close && close->marker == marker && close->length >= length) {
            return next_line(text_, eol);
        }
        line = next_line(text_, eol);
    }
    return text_.size();
}

inline_code::inline_code(std::string_view text, span prose) : text_(text.substr(0, prose.end)) {
    for (std::size_t pos = text_.find('`', prose.begin); pos != npos;) {
        const std::size_t length = run_length(pos);
        last_run_[length] = pos;
        pos = text_.find('`', pos + length);
    }
}

std::size_t inline_code::skip(std::size_t pos) const {
    const std::size_t length = run_length(pos);
    const auto last = last_run_.find(length);
    if (last == last_run_.end() || last->second <= pos) {
        return pos + length;
    }
    // A closer exists, so this search ends inside it and scanning jumps past what it read.
    for (std::size_t run = text_.find('`', pos + length); run != npos;) {
        const std::size_t run_size = run_length(run);
        if (run_size == length) {
            return run + run_size;
        }
        run = text_.find('`', run + run_size);
    }
    return pos + length;
}

std::size_t inline_code::run_length(std::size_t pos) const {
    return std::min(text_.find_first_not_of('`', pos), text_.size()) - pos;
}

}  // namespace polylogue::commands::lexer
