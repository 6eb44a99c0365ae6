// libFuzzer target for the command grammar: any bytes must parse without crashing, and what comes
// back must keep the promises of parser.hpp. Build and run with tests/fuzz/run_fuzzer.sh.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/commands/parser.hpp"

namespace {

namespace commands = polylogue::commands;

void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "invariant violated: %s\n", what);
        std::abort();
    }
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// An independent reading of the number grammar: [+-]? (digits (. digits)? | . digits).
bool is_number(std::string_view text) {
    if (text.starts_with('+') || text.starts_with('-')) {
        text.remove_prefix(1);
    }
    const std::size_t dot = text.find('.');
    const std::string_view integer = text.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    const bool digits_only =
        std::ranges::all_of(integer, is_digit) && std::ranges::all_of(fraction, is_digit);
    const bool has_fraction = dot != std::string_view::npos;
    return digits_only && (has_fraction ? !fraction.empty() : !integer.empty());
}

bool has_content(const std::string& arg) {
    return arg.find_first_not_of(" \t\r\n") != std::string::npos;
}

bool arity_fits(const commands::parsed_command& command) {
    const auto& args = command.args;
    switch (command.name) {
        case commands::command_name::image:
        case commands::command_name::search:
        case commands::command_name::prompt:
            return args.size() == 1 && has_content(args[0]);
        case commands::command_name::add_ai:
            return !args.empty() && args.size() <= 2 && std::ranges::all_of(args, has_content);
        case commands::command_name::temperature:
            return args.size() == 1 && is_number(args[0]);
        case commands::command_name::mute_self:
        case commands::command_name::list_models:
            return args.empty();
    }
    return false;
}

bool name_matches(std::string_view text, const commands::parsed_command& command) {
    const std::string_view name = commands::to_string(command.name);
    return commands::command_from_string(text.substr(command.offset + 1, name.size())) ==
           command.name;
}

void check_command(std::string_view text, const commands::parsed_command& command) {
    check(command.offset < text.size(), "offset inside the text");
    check(command.length <= text.size() - command.offset, "offset + length <= size");
    check(text[command.offset] == '!', "a command starts at a '!'");
    check(command.length > commands::to_string(command.name).size(), "length covers the name");
    check(name_matches(text, command), "the name is written after the '!'");
    const bool ok = command.status == commands::parse_status::ok;
    check(ok == command.detail.empty(), "exactly the rejected commands have a detail");
    check(!ok || arity_fits(command), "ok commands have their required arguments");
    check(command.args.empty() || arity_fits(command), "arguments, when kept, are well-formed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::vector<commands::parsed_command> parsed = commands::parse(text);
    std::size_t ok_count = 0;
    std::size_t end_of_previous = 0;
    for (std::size_t index = 0; index < parsed.size(); ++index) {
        const auto& command = parsed[index];
        check_command(text, command);
        check(command.offset >= end_of_previous, "commands come in order and do not overlap");
        end_of_previous = command.offset + command.length;
        if (command.status != commands::parse_status::ok) {
            continue;
        }
        ++ok_count;
        for (std::size_t earlier = 0; earlier < index; ++earlier) {
            const auto& other = parsed[earlier];
            const bool same = other.name == command.name && other.args == command.args;
            check(!(same && other.status == commands::parse_status::ok), "no duplicate is ok");
        }
    }
    check(ok_count <= commands::max_commands_per_message, "at most 8 ok commands");
    return 0;
}
