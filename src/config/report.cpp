#include "config/report.hpp"

#include <algorithm>

#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

int one_based(int zero_based) {
    return zero_based < 0 ? 0 : zero_based + 1;
}

// Short words get two edits so transpositions ("nmae") still match; long ones a third of their
// length, which catches typos without suggesting unrelated names.
std::size_t typo_limit(std::string_view word) {
    return std::max<std::size_t>(2, word.size() / 3);
}

}  // namespace

void reporter::error(const YAML::Mark& at, std::string message) {
    const int line = one_based(at.line);
    add(line, line == 0 ? 0 : one_based(at.column), std::move(message));
}

void reporter::error_without_position(std::string message) {
    add(0, 0, std::move(message));
}

void reporter::add(int line, int column, std::string message) {
    if (out_->size() >= max_listed_problems) {
        ++*unlisted_;
        return;
    }
    if (message.size() > max_message_bytes) {
        message = std::string{core::utf8_prefix(message, max_message_bytes)} + "...";
    }
    out_->push_back(diagnostic{file_, line, column, std::move(message)});
}

std::string position_text(const YAML::Mark& at) {
    return std::to_string(one_based(at.line)) + ":" + std::to_string(one_based(at.column));
}

std::vector<std::string> near_names(std::string_view word,
                                    const std::vector<std::string>& candidates,
                                    std::size_t max_count) {
    const std::string lower_word = core::ascii_lower(word);
    const std::size_t limit = typo_limit(word);
    struct scored {
        std::size_t distance;
        std::size_t index;
    };
    std::vector<scored> found;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const std::string lower_candidate = core::ascii_lower(candidates[i]);
        std::size_t distance = core::edit_distance(lower_word, lower_candidate, limit);
        // A fragment of a long name ("Claude" for "Claude Opus 4.5") is a near miss too.
        if (distance > limit && lower_word.size() >= 3 &&
            lower_candidate.find(lower_word) != std::string::npos) {
            distance = limit;
        }
        const bool repeated = std::any_of(found.begin(), found.end(), [&](const scored& s) {
            return core::ascii_lower(candidates[s.index]) == lower_candidate;
        });
        if (distance <= limit && !repeated) {
            found.push_back({distance, i});
        }
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const scored& a, const scored& b) { return a.distance < b.distance; });
    // A spelling that differs only in case ("Rooms") means that name; two edits away it may also
    // be near another ("tools"), but offering that too would only blur the answer.
    if (!found.empty() && found.front().distance == 0) {
        found.resize(1);
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < found.size() && i < max_count; ++i) {
        names.push_back(candidates[found[i].index]);
    }
    return names;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::vector<std::string> names = near_names(word, candidates);
    if (names.empty()) {
        return {};
    }
    std::string text = "did you mean ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) {
            text += i + 1 == names.size() ? " or " : ", ";
        }
        text += "'" + names[i] + "'";
    }
    return text + "?";
}

std::string quoted_list(const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) {
        text += (text.empty() ? "'" : ", '") + item + "'";
    }
    return text;
}

}  // namespace polylogue::config::detail
