#pragma once
// Reading the documents of a YAML text without YAML::LoadAll, which yaml-cpp 0.7 never returns
// from on some malformed text: after a stray ',' ("[a],", or just ",") its parser yields an
// empty document at the same place again and again, until memory runs out. One request body
// could take the daemon down that way, so documents are read here, stopping where the parser
// makes no progress.
//
// Nodes are counted too, before any tree is built or walked: yaml-cpp's tree costs some 500
// bytes a node, and yaml-cpp shares an aliased node, but whoever walks the tree visits it once
// per alias, so a 100 KB text can stand for gigabytes (a 10 KB string aliased 30,000 times).
// A text with more nodes than its kind needs (aliases counted as what they repeat), whose
// aliases add more than 1 MiB of text, or whose alias refers to a node that contains it, is
// refused without being loaded.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polylogue::config::detail {

struct yaml_limits {
    std::uint64_t max_nodes;                            // aliases counted as what they repeat
    std::uint64_t max_alias_added_bytes = 1024 * 1024;  // scalar text that aliases repeat
    // yaml-cpp's scanner keeps every token of "[[[[..." until the brackets close, some 250
    // bytes each; so brackets may not nest deeper than this. Counted on the raw text, quotes
    // and comments included, which can only over-count.
    std::size_t max_bracket_depth = 64;
};
// A room sent to the API needs a few dozen nodes; a configuration with a large catalogue, or a
// long script, some thousands.
inline constexpr yaml_limits room_yaml_limits{10'000};
inline constexpr yaml_limits file_yaml_limits{200'000};

struct yaml_refusal {
    YAML::Mark at;  // the node that crossed a limit, or the alias that refers to its container
    std::string message;  // says which
};

struct yaml_documents {
    YAML::Node first;                     // the first document; null when there is none
    std::vector<YAML::Mark> others;       // where each later document that is not empty starts
    std::optional<YAML::Mark> stuck_at;   // where the parser stopped making progress, if it did
    std::optional<yaml_refusal> refused;  // set: first is not loaded
};

// Throws YAML::Exception on a syntax error, as YAML::Load does.
yaml_documents read_documents(const std::string& text, const yaml_limits& limits);

}  // namespace polylogue::config::detail
