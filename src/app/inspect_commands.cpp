// check, parse and transcript: the commands that read and print, and never run a room.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <span>

#include "commands.hpp"
#include "html_export.hpp"
#include "polylogue/commands/parser.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/config/room_settings.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/room/room_state.hpp"
#include "polylogue/transcript/format.hpp"
#include "polylogue/transcript/image_files.hpp"
#include "polylogue/transcript/open_store.hpp"
#include "room_files.hpp"
#include "store_location.hpp"

namespace polylogue::app {
namespace {

constexpr auto json_replace = nlohmann::json::error_handler_t::replace;

// The records whose seq lies in [from, to]; records come sorted by seq.
std::span<const core::record> seq_range(const std::vector<core::record>& records, std::int64_t from,
                                        std::int64_t to) {
    const auto first = std::find_if(records.begin(), records.end(),
                                    [from](const core::record& r) { return r.seq >= from; });
    const auto last =
        std::find_if(first, records.end(), [to](const core::record& r) { return r.seq > to; });
    return {first, last};
}

std::string formatted(const std::string& room, std::span<const core::record> records,
                      const std::string& format) {
    std::string out = format == "markdown" ? "# Room " + room + "\n\n" : "";
    for (const auto& r : records) {
        if (format == "jsonl") {
            out += core::to_json(r).dump(-1, ' ', false, json_replace) + "\n";
        } else {
            out += format == "text" ? transcript::format_text(r) : transcript::format_markdown(r);
        }
    }
    return out;
}

int write_output(const std::string& text, const std::string& file) {
    if (file.empty()) {
        std::cout << text << std::flush;
        return std::cout ? exit_ok : exit_failure;
    }
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out << text;
    out.close();
    if (!out) {
        std::cerr << "polylogue: cannot write " << file << ": " << std::strerror(errno) << "\n";
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace

void print_problems(const config::refusal& refused) {
    for (const auto& problem : refused.problems) {
        std::cerr << problem.to_string() << "\n";
    }
    if (refused.unlisted_problems > 0) {
        std::cerr << config::more_problems_text(refused.unlisted_problems) << "\n";
    }
}

int check_command(const std::string& config_path) {
    const auto loaded = config::load_config(config_path);
    if (!loaded) {
        print_problems(loaded.error());
        return exit_usage;
    }
    std::cout << config_path << ": ok (" << loaded->rooms.size() << " rooms, "
              << loaded->models.size() << " models)\n";
    return exit_ok;
}

int parse_command() {
    std::cin >> std::noskipws;
    const std::string reply{std::istreambuf_iterator<char>{std::cin},
                            std::istreambuf_iterator<char>{}};
    for (const auto& c : commands::parse(reply)) {
        nlohmann::json line{{"command", commands::to_string(c.name)},
                            {"args", c.args},
                            {"status", c.status == commands::parse_status::ok ? "ok" : "rejected"},
                            {"detail", c.detail}};
        std::cout << line.dump(-1, ' ', false, json_replace) << "\n";
    }
    return exit_ok;
}

int transcript_command(const std::string& config_path, const std::string& room,
                       const transcript_options& options) {
    const std::string& format = options.format;
    if (format != "jsonl" && format != "text" && format != "markdown" && format != "html") {
        std::cerr << "polylogue: unknown format '" << format
                  << "' (jsonl, text, markdown or html)\n";
        return exit_usage;
    }
    const auto loaded = config::load_config(config_path);
    if (!loaded) {
        print_problems(loaded.error());
        return exit_usage;
    }
    const std::optional<config::room> settings = room_named(*loaded, room);
    if (!settings) {
        std::cerr << "polylogue: no room named '" << room << "' in " << config_path << "\n";
        return exit_usage;
    }
    auto db = transcript::open_store(*loaded);
    if (!db) {
        std::cerr << "polylogue: " << db.error() << "\n";
        return exit_failure;
    }
    auto records = (*db)->load(room);
    if (!records) {
        std::cerr << "polylogue: cannot read the transcript: "
                  << store_failure(**db, records.error()) << "\n";
        return exit_failure;
    }
    const auto part = seq_range(*records, options.from, options.to);
    if (format == "html") {
        const room::room_state state = room::fold(*records);
        // The limits the room ran by: the file's, with what operators changed laid over them.
        const config::room effective = config::effective_room(*settings, state.settings);
        const html_export_input input{room, &effective, part, &state};
        const auto data_dir = loaded->data_dir;
        return write_output(export_html(input,
                                        [&data_dir](const std::string& path) {
                                            return transcript::read_image_file(
                                                data_dir, path, max_embedded_image_bytes);
                                        }),
                            options.output);
    }
    return write_output(formatted(room, part, format), options.output);
}

}  // namespace polylogue::app
