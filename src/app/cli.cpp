#include "polylogue/app/cli.hpp"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace polylogue::app {
namespace {

constexpr const char* usage = R"(usage: polylogue COMMAND [ARGS]

  check CONFIG                       validate a configuration; every problem as FILE:LINE:COL
  parse                              read one model reply on stdin, print its commands as JSON
  run CONFIG [--room NAME]           run the room(s) to their end, printing the chat
  serve CONFIG                       run every room until SIGTERM or SIGINT (the daemon)
  rooms CONFIG                       list the rooms of the daemon serving CONFIG
  tail CONFIG ROOM                   follow a room live (or print its transcript when no
                                     daemon runs); returns when the room ends
  probe CONFIG MODEL                 one tiny real request to MODEL: ok with latency, or why not
  transcript CONFIG ROOM [--format jsonl|text|markdown]
                                     print a room's transcript (default: text)
  --version                          print the version
)";

int usage_error(const std::string& problem) {
    std::cerr << "polylogue: " << problem << "\n\n" << usage;
    return exit_usage;
}

// "--name VALUE" options after the positional arguments.
bool take_option(std::vector<std::string>& args, const std::string& name, std::string& value) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == name) {
            value = args[i + 1];
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                       args.begin() + static_cast<std::ptrdiff_t>(i + 2));
            return true;
        }
    }
    return false;
}

int dispatch(const std::string& command, std::vector<std::string> args) {
    if (command == "check" && args.size() == 1) {
        return check_command(args[0]);
    }
    if (command == "parse" && args.empty()) {
        return parse_command();
    }
    if (command == "rooms" && args.size() == 1) {
        return rooms_command(args[0]);
    }
    if (command == "tail" && args.size() == 2) {
        return tail_command(args[0], args[1]);
    }
    if (command == "probe" && args.size() == 2) {
        return probe_command(args[0], args[1]);
    }
    if (command == "transcript") {
        std::string format = "text";
        take_option(args, "--format", format);
        if (args.size() == 2) {
            return transcript_command(args[0], args[1], format);
        }
    }
    if (command == "run") {
        daemon_options options;
        options.print_chat = true;
        if (std::string room; take_option(args, "--room", room)) {
            options.only_room = room;
        }
        if (args.size() == 1) {
            return daemon_command(args[0], options);
        }
    }
    if (command == "serve" && args.size() == 1) {
        return daemon_command(args[0], daemon_options{std::nullopt, true, false});
    }
    return usage_error("bad arguments for '" + command + "'");
}

}  // namespace

int run_cli(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << usage;
        return args.empty() ? exit_usage : exit_ok;
    }
    if (args[0] == "--version") {
        std::cout << "polylogue 0.1.0\n";
        return exit_ok;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    static const std::vector<std::string> known{"check", "parse", "probe", "rooms",
                                                "run",   "serve", "tail",  "transcript"};
    if (std::find(known.begin(), known.end(), command) == known.end()) {
        return usage_error("unknown command '" + command + "'");
    }
    try {
        return dispatch(command, std::move(args));
    } catch (const std::exception& e) {
        std::cerr << "polylogue: " << e.what() << "\n";
        return exit_failure;
    }
}

}  // namespace polylogue::app
