// check, parse and transcript: the commands that read and print, and never run a room.

#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "polylogue/commands/parser.hpp"
#include "polylogue/config/loader.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/transcript/format.hpp"
#include "polylogue/transcript/store.hpp"
#include "store_location.hpp"

namespace polylogue::app {
namespace {

constexpr auto json_replace = nlohmann::json::error_handler_t::replace;

void print_problems(const config::load_outcome& loaded) {
    for (const auto& problem : loaded.problems) {
        std::cerr << problem.to_string() << "\n";
    }
}

}  // namespace

int check_command(const std::string& config_path) {
    const auto loaded = config::load_config(config_path);
    if (!loaded.config) {
        print_problems(loaded);
        return exit_usage;
    }
    std::cout << config_path << ": ok (" << loaded.config->rooms.size() << " rooms, "
              << loaded.config->models.size() << " models)\n";
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
                       const std::string& format) {
    if (format != "jsonl" && format != "text" && format != "markdown") {
        std::cerr << "polylogue: unknown format '" << format << "' (jsonl, text or markdown)\n";
        return exit_usage;
    }
    const auto loaded = config::load_config(config_path);
    if (!loaded.config) {
        print_problems(loaded);
        return exit_usage;
    }
    if (loaded.config->find_room(room) == nullptr) {
        std::cerr << "polylogue: no room named '" << room << "' in " << config_path << "\n";
        return exit_usage;
    }
    auto db = transcript::store::open(store_file(*loaded.config));
    auto records = db ? (*db)->load(room) : result<std::vector<core::record>>{db.error()};
    if (!records) {
        std::cerr << "polylogue: cannot read the transcript: " << records.error().message() << "\n";
        return exit_failure;
    }
    if (format == "markdown") {
        std::cout << "# Room " << room << "\n\n";
    }
    for (const auto& r : *records) {
        if (format == "jsonl") {
            std::cout << core::to_json(r).dump(-1, ' ', false, json_replace) << "\n";
        } else {
            std::cout << (format == "text" ? transcript::format_text(r)
                                           : transcript::format_markdown(r));
        }
    }
    return exit_ok;
}

}  // namespace polylogue::app
