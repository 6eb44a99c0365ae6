#include "chat_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "polylogue/core/text.hpp"
#include "polylogue/transcript/format.hpp"

namespace polylogue::app {
namespace {

std::string_view without_trailing_newlines(std::string_view text) {
    while (!text.empty() && text.back() == '\n') {
        text.remove_suffix(1);
    }
    return text;
}

// A record that ends an AI's turn: its live text, if any, is over.
bool is_turn_end(core::record_type type) {
    return type == core::record_type::message || type == core::record_type::turn_failed ||
           type == core::record_type::member_exhausted;
}

std::string live_header(const room::live_text& live) {
    const std::string now = core::format_rfc3339(std::chrono::system_clock::now());
    return "[" + now.substr(11, 8) + "] " + core::slot_label(live.slot) + " (" +
           std::string{live.model} + "):\n";
}

// 0, or the errno of the write that failed.
int write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return written < 0 ? errno : EIO;  // a full disk loses chat log text, never records
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

}  // namespace

chat_log::chat_log(boost::asio::any_io_executor executor, std::filesystem::path directory,
                   std::shared_ptr<spdlog::logger> daemon_log, bool print_to_stdout,
                   bool prefix_room_names)
    : live_timer_{executor},
      directory_{std::move(directory)},
      daemon_log_{std::move(daemon_log)},
      print_to_stdout_{print_to_stdout},
      prefix_room_names_{prefix_room_names} {}

chat_log::~chat_log() {
    for (auto& [name, stream] : rooms_) {
        flush(stream);
        if (stream.fd >= 0) {
            ::close(stream.fd);
        }
    }
}

chat_log::room_stream& chat_log::stream_for(std::string_view room) {
    auto found = rooms_.find(room);
    if (found == rooms_.end()) {
        found = rooms_.emplace(std::string{room}, room_stream{}).first;
        found->second.name = found->first;
    }
    return found->second;
}

bool chat_log::open(room_stream& stream) {
    if (stream.fd >= 0) {
        recent_.splice(recent_.end(), recent_, stream.recent);
        return true;
    }
    if (recent_.size() >= max_open_files) {
        close(*recent_.front());
    }
    // Room names are validated file names, so this path stays inside the log directory.
    const auto path = directory_ / (stream.name + ".log");
    stream.fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (stream.fd < 0) {
        return false;
    }
    stream.recent = recent_.insert(recent_.end(), &stream);
    return true;
}

void chat_log::close(room_stream& stream) {
    ::close(stream.fd);
    stream.fd = -1;
    recent_.erase(stream.recent);
}

// A chat log that cannot be written (out of descriptors, a full disk) is said once, not per
// write, and again only after it recovered; the transcript itself is not affected.
void chat_log::tell_outcome(room_stream& stream, int failure) {
    if (failure != 0 && !stream.failing) {
        daemon_log_->warn(
            "[{}] chat log {}.log cannot be written: {} (the transcript is not "
            "affected; said again only after it recovers)",
            stream.name, stream.name, std::strerror(failure));
    } else if (failure == 0 && stream.failing) {
        daemon_log_->info("[{}] chat log {}.log is written again", stream.name, stream.name);
    }
    stream.failing = failure != 0;
}

void chat_log::write(room_stream& stream, std::string_view text, bool live) {
    if (text.empty()) {
        return;
    }
    stream.pending.append(text);
    stream.line_open = text.back() != '\n';
    if (print_to_stdout_ && !(live && prefix_room_names_)) {
        if (prefix_room_names_) {
            print_prefixed(stream, text);
        } else {
            std::cout << text;
        }
        std::cout.flush();
    }
}

// Whole lines only (what the commit of a batch writes), each one saying its room.
void chat_log::print_prefixed(const room_stream& stream, std::string_view text) const {
    std::string out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        out += '[' + stream.name + ']';
        if (!line.empty()) {
            out += ' ';
            out += line;
        }
        out += '\n';
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    std::cout << out;
}

// A record other than the streamed message comes first: the live text ends here, so that the
// record's line stands on its own.
void chat_log::end_live_text(room_stream& stream) {
    if (stream.streaming_slot != 0) {
        write(stream, stream.line_open ? "\n\n" : "\n", true);
        stream.streaming_slot = 0;
    }
}

void chat_log::flush(room_stream& stream) {
    if (stream.awaits_timer) {
        stream.awaits_timer = false;
        --awaiting_timer_;
    }
    if (stream.pending.empty()) {
        return;
    }
    const int failure = open(stream) ? write_all(stream.fd, stream.pending) : errno;
    tell_outcome(stream, failure);
    // Given back rather than kept: thousands of idle rooms should not each hold a reply's worth.
    std::string{}.swap(stream.pending);
}

void chat_log::flush_live_later(room_stream& stream) {
    if (stream.awaits_timer) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    stream.awaits_timer = true;
    stream.waiting_since = now;
    live_waiting_.push_back({&stream, now});
    if (awaiting_timer_++ == 0) {
        wake_at(now + live_flush_interval);
    }
}

void chat_log::wake_at(std::chrono::steady_clock::time_point when) {
    live_timer_.expires_at(when);
    live_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec == boost::asio::error::operation_aborted) {
            return;  // cancelled or moved: every room was flushed, or the log is going away
        }
        flush_live();
    });
}

// Writes the text that has waited live_flush_interval; text younger than that waits for its
// commit or the next wake-up, so that a turn that commits soon costs one write, not two.
void chat_log::flush_live() {
    const auto now = std::chrono::steady_clock::now();
    while (!live_waiting_.empty()) {
        const live_wait next = live_waiting_.front();
        const bool stale = !next.stream->awaits_timer || next.stream->waiting_since != next.since;
        if (!stale && now - next.since < live_flush_interval) {
            wake_at(next.since + live_flush_interval);
            return;
        }
        live_waiting_.pop_front();
        if (!stale) {
            flush(*next.stream);
        }
    }
}

void chat_log::on_live(const config::room& room, const room::live_text& live) {
    room_stream& stream = stream_for(room.name);
    auto& held = stream.held_back;
    if (std::find(held.begin(), held.end(), live.slot) != held.end()) {
        return;
    }
    const bool other_streaming = stream.streaming_slot != 0 && stream.streaming_slot != live.slot;
    if (live.restart) {
        if (stream.streaming_slot == live.slot) {
            write(stream, "\n(the answer broke off; retrying)\n", true);
            stream.streaming_slot = 0;
        }
    } else if (other_streaming) {
        held.push_back(live.slot);
    } else {
        if (stream.streaming_slot != live.slot) {
            stream.streaming_slot = live.slot;
            write(stream, live_header(live), true);
        }
        write(stream, live.chunk, true);
    }
    if (!stream.pending.empty()) {
        flush_live_later(stream);
    }
}

void chat_log::on_commit(const config::room& room, std::span<const core::record> records) {
    room_stream& stream = stream_for(room.name);
    for (const auto& r : records) {
        if (is_turn_end(r.type)) {
            std::erase(stream.held_back, core::slot_from_label(r.speaker));
        }
        const std::string text = transcript::format_text(r);
        daemon_log_->info("[{}] {}", room.name, without_trailing_newlines(text));
        const bool streamed = r.type == core::record_type::message && stream.streaming_slot != 0 &&
                              stream.streaming_slot == core::slot_from_label(r.speaker);
        if (streamed) {
            // Already in the chat log: closed rather than repeated (with several rooms, stdout
            // saw none of it and gets it whole).
            write(stream, "\n\n", true);
            stream.streaming_slot = 0;
            if (print_to_stdout_ && prefix_room_names_) {
                print_prefixed(stream, text);
                std::cout.flush();
            }
            continue;
        }
        end_live_text(stream);
        write(stream, text);
    }
    end_live_text(stream);
    const bool awaited_timer = stream.awaits_timer;
    flush(stream);
    if (awaited_timer && awaiting_timer_ == 0) {
        live_timer_.cancel();  // nothing left for it, and a finished `run` need not wait for it
        live_waiting_.clear();
    }
}

void chat_log::say(const std::string& room, const std::string& line) {
    daemon_log_->info("[{}] {}", room, line);
    room_stream& stream = stream_for(room);
    write(stream, line + "\n");
    flush(stream);
}

}  // namespace polylogue::app
