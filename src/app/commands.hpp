#pragma once
// One function per subcommand; arguments already split by cli.cpp.

#include <optional>
#include <string>
#include <vector>

namespace polylogue::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

int check_command(const std::string& config_path);
int parse_command();
int probe_command(const std::string& config_path, const std::string& model_name);
int transcript_command(const std::string& config_path, const std::string& room,
                       const std::string& format);

int rooms_command(const std::string& config_path);
int tail_command(const std::string& config_path, const std::string& room);

struct daemon_options {
    std::optional<std::string> only_room;  // run: just this room
    bool until_signal = false;             // serve: keep running after rooms end
    bool print_chat = false;               // run: the chat on stdout
};
int daemon_command(const std::string& config_path, const daemon_options& options);

}  // namespace polylogue::app
