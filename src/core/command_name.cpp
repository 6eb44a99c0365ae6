#include "polylogue/core/command_name.hpp"

#include <array>
#include <utility>

namespace polylogue::core {
namespace {

constexpr std::array command_names{
    std::pair{command_name::image, std::string_view{"image"}},
    std::pair{command_name::add_ai, std::string_view{"add_ai"}},
    std::pair{command_name::temperature, std::string_view{"temperature"}},
    std::pair{command_name::search, std::string_view{"search"}},
    std::pair{command_name::mute_self, std::string_view{"mute_self"}},
    std::pair{command_name::prompt, std::string_view{"prompt"}},
    std::pair{command_name::list_models, std::string_view{"list_models"}},
};

}  // namespace

std::string_view to_string(command_name name) noexcept {
    for (const auto& [candidate, text] : command_names) {
        if (candidate == name) {
            return text;
        }
    }
    return "unknown";
}

std::optional<command_name> command_name_from_string(std::string_view name) noexcept {
    for (const auto& [candidate, text] : command_names) {
        if (text == name) {
            return candidate;
        }
    }
    return std::nullopt;
}

}  // namespace polylogue::core
