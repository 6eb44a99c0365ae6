#pragma once
// The watcher that shows the room as a chat: data_dir/logs/ROOM.log for `tail -f` (text streams
// in as the model writes it), the committed records in the daemon's log, and, for `run`, the
// same chat on stdout.

#include <spdlog/logger.h>

#include <cstdio>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_runner.hpp"

namespace polylogue::app {

class chat_log {
  public:
    chat_log(std::filesystem::path directory, std::shared_ptr<spdlog::logger> daemon_log,
             bool print_to_stdout, bool prefix_room_names);

    void on_commit(const config::room& room, std::span<const core::record> records);
    void on_live(const config::room& room, const room::live_text& live);

    // A line about the room that is not a record (e.g. "resuming after seq 12").
    void say(const std::string& room, const std::string& line);

  private:
    // At most this many ROOM.log files are open at once (the least recently written is closed
    // first), so that thousands of rooms never exhaust the process's file descriptors.
    static constexpr std::size_t max_open_files = 64;

    struct room_stream {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
        int streaming_slot = 0;  // the slot whose text is being written live; 0: none
        std::list<std::string>::iterator recent;  // its place in recent_, while file is open
    };

    room_stream& stream_for(const std::string& room);
    void write(const std::string& room, const std::string& text);

    std::filesystem::path directory_;
    std::shared_ptr<spdlog::logger> daemon_log_;
    bool print_to_stdout_;
    bool prefix_room_names_;
    std::map<std::string, room_stream, std::less<>> rooms_;
    std::list<std::string> recent_;  // rooms with an open file, most recently written last
};

}  // namespace polylogue::app
