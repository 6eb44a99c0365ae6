#pragma once
// The watcher that shows committed records as a chat: data_dir/logs/ROOM.log for `tail -f`,
// the same lines in the daemon's log, and, for `run`, on stdout.

#include <spdlog/logger.h>

#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::app {

class chat_log {
  public:
    chat_log(std::filesystem::path directory, std::shared_ptr<spdlog::logger> daemon_log,
             bool print_to_stdout, bool prefix_room_names);

    void on_commit(const config::room& room, std::span<const core::record> records);

    // A line about the room that is not a record (e.g. "resuming after seq 12").
    void say(const std::string& room, const std::string& line);

  private:
    spdlog::logger& room_log(const std::string& room);
    void emit(const std::string& room, const std::string& text);

    std::filesystem::path directory_;
    std::shared_ptr<spdlog::logger> daemon_log_;
    bool print_to_stdout_;
    bool prefix_room_names_;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> room_logs_;
};

// The daemon's own log: data_dir/logs/polylogue.log, plus stderr from the given level on.
std::shared_ptr<spdlog::logger> make_daemon_log(const std::filesystem::path& directory,
                                                spdlog::level::level_enum stderr_level);

}  // namespace polylogue::app
