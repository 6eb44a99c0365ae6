#include "polylogue/room/catalogue_match.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "polylogue/core/text.hpp"

namespace polylogue::room {
namespace {

std::string normalized(std::string_view name) {
    std::string out;
    for (const char c : core::ascii_lower(name)) {
        const char folded = (c == '-' || c == '_' || c == '\t') ? ' ' : c;
        if (folded == ' ' && (out.empty() || out.back() == ' ')) {
            continue;
        }
        out += folded;
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

std::string digits_of(std::string_view text) {
    std::string digits;
    std::copy_if(text.begin(), text.end(), std::back_inserter(digits),
                 [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    return digits;
}

std::string join_names(const std::vector<const config::model*>& models) {
    std::string names;
    for (const auto* m : models) {
        names += (names.empty() ? "" : ", ") + m->name;
    }
    return names;
}

template <class Predicate>
std::vector<const config::model*> matching(std::span<const config::model> catalogue,
                                           Predicate predicate) {
    std::vector<const config::model*> found;
    for (const auto& m : catalogue) {
        if (predicate(normalized(m.name))) {
            found.push_back(&m);
        }
    }
    return found;
}

catalogue_match decide(std::string_view name, const std::vector<const config::model*>& found) {
    if (found.size() == 1) {
        return {found.front(), {}};
    }
    return {nullptr, "\"" + std::string{name} + "\" matches several models (" + join_names(found) +
                         "); write the full name"};
}

// The three catalogue names closest to name, for the refusal's "did you mean".
std::string nearest_names(std::span<const config::model> catalogue, const std::string& wanted) {
    std::vector<std::pair<std::size_t, const config::model*>> ranked;
    for (const auto& m : catalogue) {
        ranked.emplace_back(core::edit_distance(wanted, normalized(m.name), 64), &m);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const config::model*> nearest;
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
        nearest.push_back(ranked[i].second);
    }
    return join_names(nearest);
}

catalogue_match closest(std::span<const config::model> catalogue, std::string_view name,
                        const std::string& wanted) {
    const std::size_t limit = std::clamp<std::size_t>(wanted.size() / 5, 1, 3);
    std::size_t best = limit + 1;
    std::vector<const config::model*> found;
    for (const auto& m : catalogue) {
        const std::string candidate = normalized(m.name);
        if (digits_of(candidate) != digits_of(wanted)) {
            continue;
        }
        const std::size_t distance = core::edit_distance(wanted, candidate, limit);
        if (distance < best) {
            best = distance;
            found.clear();
        }
        if (distance == best && distance <= limit) {
            found.push_back(&m);
        }
    }
    if (!found.empty()) {
        return decide(name, found);
    }
    return {nullptr, "no model named \"" + std::string{name} + "\" in the catalogue" +
                         (catalogue.empty() ? std::string{}
                                            : "; nearest: " + nearest_names(catalogue, wanted))};
}

}  // namespace

catalogue_match match_model(std::span<const config::model> catalogue, std::string_view name) {
    const std::string wanted = normalized(name);
    if (wanted.empty()) {
        return {nullptr, "the model name is empty"};
    }
    if (auto exact = matching(catalogue, [&](const std::string& n) { return n == wanted; });
        !exact.empty()) {
        return decide(name, exact);
    }
    if (auto prefixed =
            matching(catalogue, [&](const std::string& n) { return n.starts_with(wanted); });
        !prefixed.empty()) {
        return decide(name, prefixed);
    }
    if (auto containing = matching(
            catalogue, [&](const std::string& n) { return n.find(wanted) != std::string::npos; });
        !containing.empty()) {
        return decide(name, containing);
    }
    return closest(catalogue, name, wanted);
}

}  // namespace polylogue::room
