#pragma once
// The lexical layer of the command grammar (docs/commands.md): word characters, quotes, and the
// Markdown code that hides commands. Internal to the commands module. Every function takes
// arbitrary bytes; positions are byte offsets into the whole message text.

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace polylogue::commands::lexer {

// Word characters are ASCII [A-Za-z0-9_] plus the letter blocks listed in docs/commands.md.
// Invalid UTF-8 and the end of the text count as non-word.
bool word_char_at(std::string_view text, std::size_t pos) noexcept;
bool word_char_before(std::string_view text, std::size_t pos) noexcept;

enum class quote { straight_double, straight_single, curly_double, curly_single };

struct opener {
    quote kind = quote::straight_double;
    std::size_t size = 0;  // bytes of the opening quote
};

std::optional<opener> opener_at(std::string_view text, std::size_t pos) noexcept;
std::string_view closer_of(quote kind) noexcept;

// Bytes of the number at the start of text ([+-]? digits with an optional fraction, or .5);
// 0 when there is none. nan, inf, hex and exponents are deliberately not numbers.
std::size_t number_length(std::string_view text) noexcept;

// [begin, end) of the text.
struct span {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Finds closing quotes inside one stretch of prose. Where a quote closes depends only on the
// position the search starts from, so searched stretches are remembered: commands nested inside
// a rejected command's argument search the same bytes again, which would be quadratic.
class quote_finder {
  public:
    quote_finder(std::string_view text, std::size_t end) : text_(text), end_(end) {}

    // Position of the quote closing a `kind` quote opened just before from; npos if none
    // before the end of the stretch.
    std::size_t closer(quote kind, std::size_t from);

  private:
    std::size_t scan(quote kind, std::size_t from, std::size_t stop) const;

    std::string_view text_;
    std::size_t end_;
    // Per kind: search start -> answer (end_ for none); every start in [key, answer] gives it.
    std::array<std::map<std::size_t, std::size_t>, 4> known_;
};

// Stretches of text outside fenced code blocks, in order.
class prose_segments {
  public:
    explicit prose_segments(std::string_view text) : text_(text) {}

    std::optional<span> next();

  private:
    std::size_t skip_fenced_block(char marker, std::size_t length, std::size_t from) const;

    std::string_view text_;
    std::size_t pos_ = 0;
    bool done_ = false;
};

// Inline code spans of one stretch of prose. The last run of each length is indexed up front, so
// an unmatched run is recognised without searching: megabytes of backticks stay linear.
class inline_code {
  public:
    inline_code(std::string_view text, span prose);

    // pos is the first backtick of a run: where scanning resumes, just past the code span the run
    // opens, or just past the run itself when no run of the same length follows.
    std::size_t skip(std::size_t pos) const;

  private:
    std::size_t run_length(std::size_t pos) const;

    std::string_view text_;                                  // cut at the end of the stretch
    std::unordered_map<std::size_t, std::size_t> last_run_;  // length -> start of the last run
};

}  // namespace polylogue::commands::lexer
