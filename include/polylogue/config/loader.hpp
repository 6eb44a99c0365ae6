#pragma once
// Loading and validating a configuration. Validation reports every problem in the file at once,
// each located as FILE:LINE:COL (1-based), so `polylogue check` can print them all.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/config.hpp"

namespace polylogue::config {

struct diagnostic {
    std::string file;  // the file the problem is in (the config, or a script it names)
    int line = 0;      // 1-based; 0 when the problem has no position (file missing)
    int column = 0;    // 1-based
    std::string message;

    // "FILE:LINE:COL: message"
    std::string to_string() const;
};

struct load_outcome {
    std::optional<polylogue::config::config> config;  // set only when problems is empty
    std::vector<diagnostic> problems;
};

struct room_outcome {
    std::optional<polylogue::config::room> room;  // set only when problems is empty
    std::vector<diagnostic> problems;             // file is source; positions are in the text
};

// Validates one room, written as a config file's rooms entry (YAML or JSON), against an
// assembled configuration: its catalogue and tools, exactly as the file's own rooms are. Does not
// check that the name is new.
room_outcome parse_room(std::string_view yaml_text, const polylogue::config::config& base,
                        std::string_view source);

// Reads and validates the YAML file at path. Never throws for bad input.
load_outcome load_config(const std::filesystem::path& path);

// Validates YAML text as if it were the file at path (relative paths resolve beside it).
load_outcome parse_config(std::string_view yaml_text, const std::filesystem::path& path);

}  // namespace polylogue::config
