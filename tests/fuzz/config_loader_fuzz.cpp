// libFuzzer target for the configuration loader: any text must load without crashing or
// throwing, either as a whole file or as a room created through the control API, and what
// loads must keep the promises of config.hpp (names that are safe file names, members from the
// catalogue, numbers in range). Build and run with tests/fuzz/run_fuzzer.sh.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "polylogue/config/loader.hpp"

#ifndef POLYLOGUE_SOURCE_DIR
#error "run_fuzzer.sh defines POLYLOGUE_SOURCE_DIR: relative script paths resolve in config/"
#endif

namespace {

using polylogue::fuzz::check;
namespace config = polylogue::config;

// The base for parse_room: two scripted models, one tool of each family.
constexpr std::string_view base_yaml = R"(
providers:
  stage: { kind: scripted }
models:
  - { name: Gemini 3 Pro, provider: stage, script: scripts/gemini-3-pro.yaml }
  - { name: Grok 4, provider: stage, script: scripts/grok-4.yaml, temperature_range: [0, 1] }
tools:
  - { name: dalle, kind: openai_images, base_url: "https://api.openai.com/v1",
      api_key_env: OPENAI_API_KEY, model: gpt-image-1 }
  - { name: web, kind: searxng, base_url: "http://127.0.0.1:8888" }
rooms:
  - { name: base, members: [Grok 4] }
)";

const std::filesystem::path config_path =
    std::filesystem::path{POLYLOGUE_SOURCE_DIR} / "config" / "fuzz.yaml";

bool is_safe_file_name(std::string_view name) {
    const auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    };
    return !name.empty() && name.size() <= 64 && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), allowed);
}

void check_problems(const std::vector<config::diagnostic>& problems) {
    for (const config::diagnostic& problem : problems) {
        check(!problem.file.empty() && !problem.message.empty(), "a problem says where and what");
        check(problem.line >= 0 && problem.column >= 0, "positions are not negative");
        check(!problem.to_string().empty(), "a problem prints");
    }
}

void check_room(const config::room& room, const config::config& catalogue) {
    check(is_safe_file_name(room.name), "a room name is a safe file name");
    check(room.max_ais >= 1 && room.max_ais <= 5, "max_ais is 1..5");
    check(room.max_turns >= 1 && room.max_turns <= 1'000'000, "max_turns is in range");
    check(!room.members.empty(), "a room has members");
    check(room.members.size() <= static_cast<std::size_t>(room.max_ais), "members fit max_ais");
    for (const std::string& member : room.members) {
        check(catalogue.find_model(member) != nullptr, "members are in the catalogue");
    }
    if (!room.image_tool.empty()) {
        const config::tool* tool = catalogue.find_tool(room.image_tool);
        check(tool != nullptr && tool->is_image(), "the image tool is an image tool");
    }
    if (!room.search_tool.empty()) {
        const config::tool* tool = catalogue.find_tool(room.search_tool);
        check(tool != nullptr && !tool->is_image(), "the search tool is a search tool");
    }
    check(!room.max_cost_usd || *room.max_cost_usd > 0, "a cost budget is positive");
}

void check_config(const config::config& loaded) {
    check(loaded.file.is_absolute() && loaded.data_dir.is_absolute(), "paths are absolute");
    for (const config::model& model : loaded.models) {
        check(loaded.find_provider(model.provider) != nullptr, "a model's provider exists");
        if (model.temperature_range) {
            check(model.temperature >= model.temperature_range->min &&
                      model.temperature <= model.temperature_range->max,
                  "the starting temperature is inside the range");
        }
    }
    for (const config::room& room : loaded.rooms) {
        check_room(room, loaded);
        check(loaded.find_room(room.name) == &room, "room names are unique");
    }
    for (const config::tool& tool : loaded.tools) {
        check(tool.price_per_call_usd >= 0, "a tool's price is 0 or more");
    }
    check(!loaded.budget_usd_per_day || *loaded.budget_usd_per_day > 0,
          "a daily budget is positive");
}

// Device and process files would make the loader read a script forever; the configuration is
// the operator's own, so such paths are not a finding, only a way to hang the fuzzer.
bool names_special_files(std::string_view text) {
    return text.find("/dev") != std::string_view::npos ||
           text.find("/proc") != std::string_view::npos ||
           text.find("/sys") != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const config::config base = [] {
        auto outcome = config::parse_config(base_yaml, config_path);
        check(outcome.has_value(), "the fixed base configuration is valid");
        return *outcome;
    }();
    const std::string_view text = polylogue::fuzz::as_text(data, size);
    if (names_special_files(text)) {
        return -1;  // libFuzzer: do not add this input to the corpus
    }
    const auto loaded = config::parse_config(text, config_path);
    check(loaded.has_value() == loaded.error().problems.empty(), "a config or its problems");
    check_problems(loaded.error().problems);
    if (loaded) {
        check_config(*loaded);
    }
    const auto room = config::parse_room(text, base, "fuzz");
    check(room.has_value() == room.error().problems.empty(), "a room or its problems");
    check_problems(room.error().problems);
    if (room) {
        check_room(*room, base);
    }
    return 0;
}
