#pragma once
// The command grammar of model replies (docs/commands.md). Pure: no I/O, (near-)linear in the
// input, total over any bytes (invalid UTF-8, NULs, megabytes).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/command_name.hpp"

namespace polylogue::commands {

using core::command_name;

enum class parse_status { ok, rejected };

struct parsed_command {
    command_name name = command_name::image;
    std::vector<std::string> args;  // as written, quotes removed, escapes resolved
    parse_status status = parse_status::ok;
    std::string detail;      // why it was rejected; empty when ok
    std::size_t offset = 0;  // byte offset of the '!' in the text
    std::size_t length = 0;  // bytes from the '!' to the end of the command's last argument
};

// At most this many commands of one message are carried out; later ones are rejected.
inline constexpr std::size_t max_commands_per_message = 8;

using core::to_string;
// The command named, in any letter case.
std::optional<command_name> command_from_string(std::string_view name) noexcept;

// Every command in text, in the order written. Duplicates (same name and arguments) and commands
// beyond max_commands_per_message come back rejected with the reason, never dropped.
std::vector<parsed_command> parse(std::string_view text);

}  // namespace polylogue::commands
