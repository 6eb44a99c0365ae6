#pragma once
// Matching a name an AI wrote in !add_ai against the catalogue. In order: exact (ignoring case,
// '-', '_' and repeated spaces), a unique prefix, a unique substring, then the closest name
// within a small edit distance whose digits are the same (so "Llama 3" never becomes "Llama 4").
// A name that matches nothing, or several names equally, is refused: never a substitute.

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
