#pragma once
// The validated configuration. Every value here has passed `polylogue check`: names are unique,
// members exist in the catalogue, scripts are loaded, numbers are in range. Paths are absolute.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace polylogue::config {

enum class provider_kind { scripted, openai, anthropic, gemini };

struct provider {
    std::string name;
    provider_kind kind = provider_kind::scripted;
};

struct temperature_range {
    double min = 0.0;
    double max = 2.0;
};

struct model {
    std::string name;      // display name, as in "AI-1 (Gemini 3 Pro)"
    std::string provider;  // a provider's name
    // scripted providers only: the script file and its replies, used in order
    std::filesystem::path script;
    std::vector<std::string> script_replies;
    // nullopt when the model takes no temperature at all ("temperature_range: none")
    std::optional<config::temperature_range> temperature_range = config::temperature_range{};
    double temperature = 1.0;  // the starting temperature, inside temperature_range
};

struct opening {
    std::string speaker;  // a human's name
    std::string text;
};

struct room {
    std::string name;  // [A-Za-z0-9._-], 1..64 characters, not starting with '.'; a file name
    std::vector<std::string> members;  // model names, seated as AI-1, AI-2, ...
    int max_ais = 5;                   // 1..5
    int max_turns = 40;                // AI turns, then the room ends; 1..1000000
    std::chrono::milliseconds turn_delay{2000};
    std::optional<config::opening> opening;
    std::string system_prompt;  // template; empty means default_system_prompt
};

struct config {
    std::filesystem::path file;      // the YAML file this came from, absolute
    std::filesystem::path data_dir;  // absolute; default "var" beside the config file
    std::vector<provider> providers;
    std::vector<model> models;
    std::vector<room> rooms;

    const model* find_model(std::string_view name) const noexcept;
    const provider* find_provider(std::string_view name) const noexcept;
    const room* find_room(std::string_view name) const noexcept;
};

// The template used when a room sets no system_prompt. Placeholders: {slot} {model} {members}
// {room} {max_ais}.
std::string_view default_system_prompt() noexcept;

}  // namespace polylogue::config
