#pragma once
// Matching a name an AI wrote in !add_ai against the catalogue: exact only. A name matches an
// entry whose display name or provider model id it equals once both are folded (ASCII case
// ignored; spaces, tabs, '-' and '_' left out), so "claude-opus-4.5" is Claude Opus 4.5 but
// "Claude Opus 4" is nobody. Anything else is refused, naming the closest entries ("did you
// mean ...", by a bounded edit distance) so that the model can try again: never a substitute.

#include <span>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"

namespace polylogue::room {

struct catalogue_match {
    const config::model* model = nullptr;  // set when matched
    std::string problem;                   // why not, with the nearest names; when not matched
};

catalogue_match match_model(std::span<const config::model> catalogue, std::string_view name);

}  // namespace polylogue::room
