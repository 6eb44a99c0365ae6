#pragma once
// The watcher that shows the room as a chat: data_dir/logs/ROOM.log for `tail -f` (text streams
// in as the model writes it), the committed records in the daemon's log, and, for `run`, the
// same chat on stdout. Every record's line is whole and in seq order: live text that a record
// other than its own message follows is ended first.
// Text waits in the room's buffer and reaches the file when its turn commits, or at most
// live_flush_interval after it arrived: one write per turn rather than one per streamed chunk,
// while `tail -f` still sees a slow answer grow.
// With several rooms on one stdout (prefix_room_names), stdout shows whole records only, as
// they commit, each line prefixed "[ROOM] ": streamed text of two rooms would interleave.
// Likewise within a room whose members answer at once (turn_order parallel): the first to
// stream is shown live, the others whole when they commit.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "name_hash.hpp"
#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_observer.hpp"

namespace polylogue::app {

class chat_log {
  public:
    static constexpr std::chrono::milliseconds live_flush_interval{100};

    chat_log(boost::asio::any_io_executor executor, std::filesystem::path directory,
             std::shared_ptr<spdlog::logger> daemon_log, bool print_to_stdout,
             bool prefix_room_names);
    chat_log(const chat_log&) = delete;
    chat_log& operator=(const chat_log&) = delete;
    ~chat_log();  // writes what is still buffered

    void on_commit(const config::room& room, std::span<const core::record> records);
    void on_live(const config::room& room, const room::live_text& live);

    // A line about the room that is not a record (e.g. "resuming after seq 12").
    void say(const std::string& room, const std::string& line);

  private:
    // At most this many ROOM.log files are open at once (the least recently written is closed
    // first), so that thousands of rooms never exhaust the process's file descriptors.
    static constexpr std::size_t max_open_files = 64;

    struct room_stream {
        std::string name;
        int fd = -1;             // open, or -1
        std::string pending;     // text not yet in the file
        int streaming_slot = 0;  // the slot whose text is being written live; 0: none
        // Slots whose live text came while another's was streaming (a parallel round): their
        // text is left out until their turn commits, and that record is written whole.
        std::vector<int> held_back;
        bool line_open = false;     // the last text written does not end its line
        bool awaits_timer = false;  // live text waits for the flush timer
        bool failing = false;       // its last write failed (told once until one succeeds)
        std::chrono::steady_clock::time_point waiting_since{};  // while awaits_timer
        std::list<room_stream*>::iterator recent;  // its place in recent_, while fd is open
    };

    room_stream& stream_for(std::string_view room);
    // To the file (and, but for live text with several rooms, to stdout).
    void write(room_stream& stream, std::string_view text, bool live = false);
    void print_prefixed(const room_stream& stream, std::string_view text) const;
    void end_live_text(room_stream& stream);
    void flush(room_stream& stream);
    bool open(room_stream& stream);
    void close(room_stream& stream);
    void tell_outcome(room_stream& stream, int failure);
    void flush_live_later(room_stream& stream);
    void flush_live();
    void wake_at(std::chrono::steady_clock::time_point when);

    struct live_wait {
        room_stream* stream;
        std::chrono::steady_clock::time_point since;  // stale once the stream's differs
    };

    boost::asio::steady_timer live_timer_;
    std::deque<live_wait> live_waiting_;  // oldest first; some may have been flushed since
    std::size_t awaiting_timer_ = 0;      // rooms with awaits_timer
    std::filesystem::path directory_;
    std::shared_ptr<spdlog::logger> daemon_log_;
    bool print_to_stdout_;
    bool prefix_room_names_;
    std::unordered_map<std::string, room_stream, name_hash, std::equal_to<>> rooms_;
    std::list<room_stream*> recent_;  // rooms with an open file, most recently written last
};

}  // namespace polylogue::app
