#pragma once
// The files of rooms made while the daemon runs (created over the API, or forks):
// data_dir/rooms/NAME.yaml, read again at every start.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"

namespace polylogue::app {

std::filesystem::path created_room_dir(const config::config& cfg);

// Written to a temporary name, flushed, then renamed: a crash leaves the old file or the new
// one, never half of one.
bool write_atomically(const std::filesystem::path& file, std::string_view text);

std::optional<std::string> read_text(const std::filesystem::path& file);

// The room of that name: the config file's, or one kept in data_dir/rooms (created over the
// API, or a fork) when its file reads as a valid room; nullopt otherwise.
std::optional<config::room> room_named(const config::config& cfg, const std::string& name);

// A fork's room file while its records are being committed: data_dir/rooms/NAME.fork. It
// becomes NAME.yaml once they are durable; a start finds one a crash left and settles it.
std::filesystem::path pending_fork_file(const config::config& cfg, std::string_view name);

// NAME.fork renamed to NAME.yaml.
bool finish_fork_file(const config::config& cfg, std::string_view name);

}  // namespace polylogue::app
