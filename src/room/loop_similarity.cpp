#include "room/loop_similarity.hpp"

#include <algorithm>

namespace polylogue::room {

namespace {

constexpr std::uint64_t fnv_offset = 14695981039346656037ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

bool is_word_byte(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

unsigned char lower(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

// Each word's FNV-1a hash, in order.
std::vector<std::uint64_t> word_hashes(std::string_view text) {
    text = text.substr(0, loop_text_bytes);
    std::vector<std::uint64_t> words;
    std::uint64_t hash = fnv_offset;
    bool in_word = false;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_word_byte(c)) {
            hash = (hash ^ lower(c)) * fnv_prime;
            in_word = true;
        } else if (in_word) {
            words.push_back(hash);
            hash = fnv_offset;
            in_word = false;
        }
    }
    if (in_word) {
        words.push_back(hash);
    }
    return words;
}

// Order matters in a shingle: "a b c" and "c b a" differ.
std::uint64_t combine(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
    std::uint64_t hash = fnv_offset;
    for (const std::uint64_t part : {a, b, c}) {
        hash = (hash ^ part) * fnv_prime;
        hash ^= hash >> 29;
    }
    return hash;
}

void sort_unique(std::vector<std::uint64_t>& hashes) {
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    if (a.empty() && b.empty()) {
        return 1.0;
    }
    std::size_t common = 0;
    auto i = a.begin();
    auto j = b.begin();
    while (i != a.end() && j != b.end()) {
        if (*i < *j) {
            ++i;
        } else if (*j < *i) {
            ++j;
        } else {
            ++common;
            ++i;
            ++j;
        }
    }
    return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

bool is_ai_message(const core::record& r) {
    return r.type == core::record_type::message && core::slot_from_label(r.speaker) > 0;
}

}  // namespace

shingles shingles_of(std::string_view text) {
    shingles out;
    out.words = word_hashes(text);
    if (out.words.size() >= 3) {
        out.grams.reserve(out.words.size() - 2);
        for (std::size_t i = 0; i + 2 < out.words.size(); ++i) {
            out.grams.push_back(combine(out.words[i], out.words[i + 1], out.words[i + 2]));
        }
    }
    sort_unique(out.words);
    sort_unique(out.grams);
    return out;
}

double similarity(const shingles& a, const shingles& b) {
    if (a.grams.empty() || b.grams.empty()) {
        return jaccard(a.words, b.words);  // a text of fewer than 3 words: words decide
    }
    return jaccard(a.grams, b.grams);
}

double similarity(std::string_view a, std::string_view b) {
    return similarity(shingles_of(a), shingles_of(b));
}

std::optional<loop_finding> find_loop(std::span<const core::record> history, std::int64_t after,
                                      const config::loop_guard& guard) {
    const auto window = static_cast<std::size_t>(guard.window);
    // The newest 2 * window AI messages after `after`, oldest first.
    std::vector<const core::record*> messages;
    for (auto it = history.rbegin(); it != history.rend() && it->seq > after; ++it) {
        if (is_ai_message(*it)) {
            messages.push_back(&*it);
            if (messages.size() == 2 * window) {
                break;
            }
        }
    }
    if (messages.size() < window + 1) {
        return std::nullopt;
    }
    std::reverse(messages.begin(), messages.end());
    std::vector<shingles> texts;
    texts.reserve(messages.size());
    for (const core::record* r : messages) {
        texts.push_back(shingles_of(r->text));
    }
    double lowest = 1.0;
    for (std::size_t k = messages.size() - window; k < messages.size(); ++k) {
        double best = 0.0;
        for (std::size_t j = k > window ? k - window : 0; j < k; ++j) {
            best = std::max(best, similarity(texts[k], texts[j]));
        }
        if (best < guard.similarity) {
            return std::nullopt;
        }
        lowest = std::min(lowest, best);
    }
    return loop_finding{lowest, guard.window};
}

}  // namespace polylogue::room
