#pragma once
// The commands of model replies (docs/commands.md): what the parser finds, and what a command
// record says was carried out. Standard library only, so that the pure parser needs nothing more.

#include <optional>
#include <string_view>

namespace polylogue::core {

enum class command_name { image, add_ai, temperature, search, mute_self, prompt, list_models };

// "image", "add_ai", ...: the name as written after '!', lower case, and in the JSON form.
std::string_view to_string(command_name name) noexcept;
// Exactly as to_string writes it; nullopt for anything else.
std::optional<command_name> command_name_from_string(std::string_view name) noexcept;

}  // namespace polylogue::core
