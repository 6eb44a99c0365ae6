#include "polylogue/room/catalogue_match.hpp"

#include <algorithm>
#include <vector>

#include "polylogue/core/text.hpp"

namespace polylogue::room {
namespace {

// Suggestions are ranked by edit distance up to this bound (names are at most 64 characters).
constexpr std::size_t distance_bound = 64;
constexpr std::size_t max_suggestions = 3;

std::string folded(std::string_view name) {
    std::string out;
    for (const char c : core::ascii_lower(name)) {
        if (c != ' ' && c != '\t' && c != '-' && c != '_') {
            out += c;
        }
    }
    return out;
}

std::string join_names(const std::vector<const config::model*>& models) {
    std::string names;
    for (const auto* m : models) {
        names += (names.empty() ? "" : ", ") + m->name;
    }
    return names;
}

// "A", "B" or "C"
std::string alternatives(const std::vector<const config::model*>& models) {
    std::string text;
    for (std::size_t i = 0; i < models.size(); ++i) {
        text += i == 0 ? "" : (i + 1 == models.size() ? " or " : ", ");
        text += "\"" + models[i]->name + "\"";
    }
    return text;
}

std::vector<const config::model*> exact_matches(std::span<const config::model> catalogue,
                                                std::string_view name) {
    std::vector<const config::model*> found;
    // The display name as written (ignoring case) is unique in the catalogue: it wins outright.
    const std::string lower = core::ascii_lower(name);
    for (const auto& m : catalogue) {
        if (core::ascii_lower(m.name) == lower) {
            return {&m};
        }
    }
    const std::string wanted = folded(name);
    for (const auto& m : catalogue) {
        if (folded(m.name) == wanted || (!m.id.empty() && folded(m.id) == wanted)) {
            found.push_back(&m);
        }
    }
    return found;
}

// How far wanted is from an entry: the nearer of its name and its id.
std::size_t distance_to(const std::string& wanted, const config::model& m) {
    std::size_t distance = core::edit_distance(wanted, folded(m.name), distance_bound);
    if (!m.id.empty()) {
        distance = std::min(distance, core::edit_distance(wanted, folded(m.id), distance_bound));
    }
    return distance;
}

bool contains(const std::string& entry, const std::string& wanted) {
    return wanted.size() >= 3 && entry.find(wanted) != std::string::npos;
}

struct candidate {
    bool holds_it = false;  // the entry's name or id holds the whole name written
    std::size_t distance = 0;
    const config::model* model = nullptr;
};

// The entries worth suggesting: those holding the folded name whole ("Claude Opus" → "Claude
// Opus 4.5") first, then those within a few edits of it (about a third of its length, at least
// 2), nearest first; catalogue order breaks ties.
std::vector<const config::model*> nearest(std::span<const config::model> catalogue,
                                          const std::string& wanted) {
    const std::size_t close_enough = std::max<std::size_t>(2, wanted.size() / 3);
    std::vector<candidate> ranked;
    for (const auto& m : catalogue) {
        const candidate c{contains(folded(m.name), wanted) || contains(folded(m.id), wanted),
                          distance_to(wanted, m), &m};
        if (c.holds_it || c.distance <= close_enough) {
            ranked.push_back(c);
        }
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const candidate& a, const candidate& b) {
        return a.holds_it != b.holds_it ? a.holds_it : a.distance < b.distance;
    });
    std::vector<const config::model*> suggestions;
    for (std::size_t i = 0; i < ranked.size() && i < max_suggestions; ++i) {
        suggestions.push_back(ranked[i].model);
    }
    return suggestions;
}

}  // namespace

catalogue_match match_model(std::span<const config::model> catalogue, std::string_view name) {
    const std::string wanted = folded(name);
    if (wanted.empty()) {
        return {nullptr, "the model name is empty"};
    }
    const auto exact = exact_matches(catalogue, name);
    if (exact.size() == 1) {
        return {exact.front(), {}};
    }
    const std::string quoted = "\"" + std::string{name} + "\"";
    if (exact.size() > 1) {
        return {nullptr, quoted + " names several models (" + join_names(exact) +
                             "); write the display name exactly"};
    }
    const auto suggestions = nearest(catalogue, wanted);
    if (suggestions.empty()) {
        return {nullptr, "no model named " + quoted +
                             " in the catalogue; !list_models shows the models you can invite"};
    }
    return {nullptr, "no model named " + quoted + " in the catalogue; did you mean " +
                         alternatives(suggestions) + "? Write the name exactly"};
}

}  // namespace polylogue::room
