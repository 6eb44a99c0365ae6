#include "polylogue/app/cli.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

namespace polylogue::app {
namespace {

constexpr const char* usage = R"(usage: polylogue COMMAND [ARGS]

  check CONFIG                       validate a configuration; every problem as FILE:LINE:COL
  parse                              read one model reply on stdin, print its commands as JSON
  run CONFIG [--room NAME]           run the room(s) to their end, printing the chat
  serve CONFIG [--node NAME] [--listen HOST:PORT]
                                     run every room until SIGTERM or SIGINT (the daemon);
                                     --listen overrides control.listen; --node names this
                                     daemon in a fleet (store kind postgres; default
                                     HOSTNAME-PID)
  rooms CONFIG                       list the rooms of the daemon serving CONFIG
  tail CONFIG ROOM                   follow a room live (or print its transcript when no
                                     daemon runs); returns when the room ends
  fork CONFIG ROOM --at SEQ --as NEW
                                     a new room NEW that begins with ROOM's records 1..SEQ
                                     and goes on from there (through the daemon when one
                                     runs; else the next serve runs it)
  probe CONFIG MODEL                 one tiny real request to MODEL: ok with latency, or why not
  import CONFIG --from-sqlite DATA_DIR
                                     copy every room of DATA_DIR/transcripts.db into CONFIG's
                                     PostgreSQL store (rooms already there are skipped; each
                                     is checked by count and checksum)
  transcript CONFIG ROOM [--format jsonl|text|markdown|html] [--from SEQ] [--to SEQ]
             [--output FILE]         print a room's transcript (default: text), or write it
                                     to FILE; --from/--to keep the seqs in that range
                                     (inclusive); html: one self-contained page, images in it
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

// A record seq as the user typed it: a whole number from 1.
std::optional<std::int64_t> parse_seq(const std::string& text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || value < 1) {
        return std::nullopt;
    }
    return value;
}

// Fills one seq bound when the option is present; false (after saying why) when it is invalid.
bool take_seq_option(std::vector<std::string>& args, const std::string& name, std::int64_t& bound) {
    std::string text;
    if (!take_option(args, name, text)) {
        return true;
    }
    const auto seq = parse_seq(text);
    if (!seq) {
        std::cerr << "polylogue: " << name << " wants a record seq (a whole number from 1), not '"
                  << text << "'\n";
        return false;
    }
    bound = *seq;
    return true;
}

int transcript_arguments(std::vector<std::string> args) {
    transcript_options options;
    take_option(args, "--format", options.format);
    take_option(args, "--output", options.output);
    if (!take_seq_option(args, "--from", options.from) ||
        !take_seq_option(args, "--to", options.to)) {
        return exit_usage;
    }
    if (options.from > options.to) {
        std::cerr << "polylogue: --from " << options.from << " is after --to " << options.to
                  << "\n";
        return exit_usage;
    }
    if (args.size() != 2) {
        return usage_error("bad arguments for 'transcript'");
    }
    return transcript_command(args[0], args[1], options);
}

int fork_arguments(std::vector<std::string> args) {
    std::int64_t at = 0;
    std::string name;
    if (!take_seq_option(args, "--at", at)) {
        return exit_usage;
    }
    if (!take_option(args, "--as", name) || at == 0 || args.size() != 2) {
        return usage_error("fork wants CONFIG ROOM --at SEQ --as NEW");
    }
    return fork_command(args[0], args[1], at, name);
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
        return transcript_arguments(std::move(args));
    }
    if (command == "fork") {
        return fork_arguments(std::move(args));
    }
    if (std::string from;
        command == "import" && take_option(args, "--from-sqlite", from) && args.size() == 1) {
        return import_command(args[0], from);
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
    if (command == "serve") {
        daemon_options options;
        options.until_signal = true;
        if (std::string node; take_option(args, "--node", node)) {
            options.node = node;
        }
        if (std::string listen; take_option(args, "--listen", listen)) {
            options.listen = listen;
        }
        if (args.size() == 1) {
            return daemon_command(args[0], options);
        }
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
    static const std::vector<std::string> known{"check", "fork", "import", "parse", "probe",
                                                "rooms", "run",  "serve",  "tail",  "transcript"};
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
