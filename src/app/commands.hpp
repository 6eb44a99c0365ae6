#pragma once
// One function per subcommand; arguments already split by cli.cpp.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "polylogue/config/loader.hpp"

namespace polylogue::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

// A load's problems on stderr, one FILE:LINE:COL: message a line, then how many more there were.
void print_problems(const config::refusal& refused);

int check_command(const std::string& config_path);
int parse_command();
int probe_command(const std::string& config_path, const std::string& model_name);
struct transcript_options {
    std::string format = "text";  // jsonl, text, markdown or html
    std::int64_t from = 1;        // the first and last seq shown, inclusive
    std::int64_t to = std::numeric_limits<std::int64_t>::max();
    std::string output;  // a file to write instead of stdout; empty: stdout
};
int transcript_command(const std::string& config_path, const std::string& room,
                       const transcript_options& options);

int rooms_command(const std::string& config_path);
int tail_command(const std::string& config_path, const std::string& room);
int fork_command(const std::string& config_path, const std::string& room, std::int64_t at,
                 const std::string& name);

// Copies every room of DATA_DIR/transcripts.db into the config's PostgreSQL store, verified.
int import_command(const std::string& config_path, const std::string& sqlite_dir);

struct daemon_options {
    std::optional<std::string> only_room;  // run: just this room
    bool until_signal = false;             // serve: keep running after rooms end
    bool print_chat = false;               // run: the chat on stdout
    std::optional<std::string> node;       // serve: this daemon's name in a fleet
    std::optional<std::string> listen;     // serve: overrides control.listen
};
int daemon_command(const std::string& config_path, const daemon_options& options);

}  // namespace polylogue::app
