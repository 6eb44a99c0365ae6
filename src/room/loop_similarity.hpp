#pragma once
// How alike two messages are, for the loop guard (docs/config.md, "loop_guard"): the Jaccard
// similarity of their word 3-shingles. Pure, and bounded: only a message's first 8 KiB count.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::room {

inline constexpr std::size_t loop_text_bytes = 8 * 1024;

// A message's sorted, distinct hashed words and word 3-shingles (every run of 3 words). Words are
// runs of ASCII letters and digits (lower-cased) and of non-ASCII bytes; the rest separates them.
struct shingles {
    std::vector<std::uint64_t> words;
    std::vector<std::uint64_t> grams;  // empty when the text has fewer than 3 words
};

shingles shingles_of(std::string_view text);

// |A ∩ B| / |A ∪ B|; 1 for two empty texts. When either text has fewer than 3 words, their
// words are compared instead.
double similarity(std::string_view a, std::string_view b);
double similarity(const shingles& a, const shingles& b);

// The guard's finding: the lowest of the last window messages' best similarities.
struct loop_finding {
    double similarity = 0;
    int messages = 0;  // how many messages repeat (the window)
};

// Whether the AI messages of history after seq `after` loop: each of the last guard.window of
// them is at least guard.similarity similar to one of the guard.window messages before it
// (also after `after`). Needs at least window + 1 such messages.
std::optional<loop_finding> find_loop(std::span<const core::record> history, std::int64_t after,
                                      const config::loop_guard& guard);

}  // namespace polylogue::room
