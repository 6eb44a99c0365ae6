#pragma once
// Loading and validating a configuration. Validation reports every problem in the file at once,
// each located as FILE:LINE:COL (1-based), so `polylogue check` can print them all.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/core/error.hpp"

namespace polylogue::config {

struct diagnostic {
    std::string file;  // the file the problem is in (the config, or a script it names)
    int line = 0;      // 1-based; 0 when the problem has no position (file missing)
    int column = 0;    // 1-based
    std::string message;

    // "FILE:LINE:COL: message"
    std::string to_string() const;
};

// The largest configuration file and script file read; larger ones are refused unread.
inline constexpr std::uintmax_t max_config_file_bytes = 4 * 1024 * 1024;
inline constexpr std::uintmax_t max_script_file_bytes = 16 * 1024 * 1024;

// Why a text was refused: the first 100 problems found (each message at most 2 KiB), in file
// and position order, and how many more there were. A refusal lists at least one problem.
struct refusal {
    std::vector<diagnostic> problems;
    std::size_t unlisted_problems = 0;
};

// "(and N more problems)" for a load that found more than it lists.
std::string more_problems_text(std::size_t unlisted);

// Validates one room, written as a config file's rooms entry (YAML or JSON), against an
// assembled configuration: its catalogue and tools, exactly as the file's own rooms are. Does not
// check that the name is new. The problems' file is source; their positions are in the text.
result<room, refusal> parse_room(std::string_view yaml_text, const polylogue::config::config& base,
                                 std::string_view source);

// Reads and validates the YAML file at path. Never throws for bad input.
result<polylogue::config::config, refusal> load_config(const std::filesystem::path& path);

// Validates YAML text as if it were the file at path (relative paths resolve beside it).
result<polylogue::config::config, refusal> parse_config(std::string_view yaml_text,
                                                        const std::filesystem::path& path);

}  // namespace polylogue::config
