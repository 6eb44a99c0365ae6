#pragma once
// Reading the documents of a YAML text without YAML::LoadAll, which yaml-cpp 0.7 never returns
// from on some malformed text: after a stray ',' ("[a],", or just ",") its parser yields an
// empty document at the same place again and again, until memory runs out. One request body
// could take the daemon down that way, so documents are read here, stopping where the parser
// makes no progress.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace polylogue::config::detail {

struct yaml_documents {
    YAML::Node first;                    // the first document; null when there is none
    std::vector<YAML::Mark> others;      // where each later document that is not empty starts
    std::optional<YAML::Mark> stuck_at;  // where the parser stopped making progress, if it did
};

// Throws YAML::Exception on a syntax error, as YAML::Load does.
yaml_documents read_documents(const std::string& text);

}  // namespace polylogue::config::detail
