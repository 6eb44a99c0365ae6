#pragma once
// The daemon's own log: data_dir/logs/polylogue.log, rotated by size, as text lines or JSON lines,
// plus stderr (which systemd sends to the journal). docs/config.md, "logging".

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "polylogue/config/config.hpp"

namespace polylogue::app {

// The environment variable that overrides logging.level when it names a level.
inline constexpr std::string_view log_level_variable = "POLYLOGUE_LOG_LEVEL";

// trace, debug, info, warn, error, critical or off, ignoring ASCII case; nullopt otherwise.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) noexcept;

// Writes directory/polylogue.log, which rotates once it would pass settings.max_file_bytes into
// polylogue.1.log, polylogue.2.log ... (settings.max_files of them kept), as text or, with
// settings.json, one JSON object per line: {"time", "level", "logger", "message"}. Also writes
// stderr as text, never below stderr_level. The level is POLYLOGUE_LOG_LEVEL's when it names one,
// else settings.level; a variable that names none is reported once, as a warning in this log.
// Throws spdlog::spdlog_ex when the file cannot be opened (a startup failure).
std::shared_ptr<spdlog::logger> make_daemon_log(const std::filesystem::path& directory,
                                                const config::logging_settings& settings,
                                                spdlog::level::level_enum stderr_level);

// For a reload: applies settings.level, unless POLYLOGUE_LOG_LEVEL still overrides it. Returns the
// level now in force. The file's size, count and format stay as they were at start.
spdlog::level::level_enum set_daemon_log_level(spdlog::logger& log,
                                               const config::logging_settings& settings);

}  // namespace polylogue::app
