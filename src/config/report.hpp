#pragma once
// Diagnostics collection and "did you mean" suggestions, shared by the loader's parts.

#include <yaml-cpp/mark.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/loader.hpp"

namespace polylogue::config::detail {

// At most this many problems are kept per load, across its files; the rest are only counted, so
// that a text made of mistakes cannot make the list (or an API answer) grow without bound.
inline constexpr std::size_t max_listed_problems = 100;
// A message longer than this (it quotes what was written) is cut, at a character boundary.
inline constexpr std::size_t max_message_bytes = 2048;

// Appends diagnostics for one file (the config or a script) to a list shared by all files;
// beyond max_listed_problems it counts them in unlisted instead.
class reporter {
  public:
    reporter(std::vector<diagnostic>& out, std::size_t& unlisted, std::string file)
        : out_{&out}, unlisted_{&unlisted}, file_{std::move(file)} {}

    // yaml-cpp marks are 0-based, and -1 when yaml-cpp has no position (an empty document):
    // that becomes line 0, which to_string prints without a position.
    void error(const YAML::Mark& at, std::string message);
    void error_without_position(std::string message);

    const std::string& file() const noexcept { return file_; }

  private:
    void add(int line, int column, std::string message);

    std::vector<diagnostic>* out_;
    std::size_t* unlisted_;
    std::string file_;
};

// "L:C" of a mark, 1-based, for messages that point back at an earlier place in the same file.
std::string position_text(const YAML::Mark& at);

// Candidates a user plausibly meant by word: within a few edits (ASCII case-insensitively), or
// containing it; nearest first, at most max_count.
std::vector<std::string> near_names(std::string_view word,
                                    const std::vector<std::string>& candidates,
                                    std::size_t max_count = 3);

// "did you mean 'a'?", "did you mean 'a' or 'b'?"; empty when nothing is near.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "'a', 'b', 'c'"
std::string quoted_list(const std::vector<std::string>& items);

}  // namespace polylogue::config::detail
