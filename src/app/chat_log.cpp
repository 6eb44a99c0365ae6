#include "chat_log.hpp"

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

std::string live_header(const room::live_text& live) {
    const std::string now = core::format_rfc3339(std::chrono::system_clock::now());
    return "[" + now.substr(11, 8) + "] " + core::slot_label(live.slot) + " (" +
           std::string{live.model} + "):\n";
}

}  // namespace

chat_log::chat_log(boost::asio::any_io_executor executor, std::filesystem::path directory,
                   std::shared_ptr<spdlog::logger> daemon_log, bool print_to_stdout,
                   bool prefix_room_names)
    : live_timer_{std::move(executor)},
      directory_{std::move(directory)},
      daemon_log_{std::move(daemon_log)},
      print_to_stdout_{print_to_stdout},
      prefix_room_names_{prefix_room_names} {}

chat_log::room_stream& chat_log::stream_for(std::string_view room) {
    auto found = rooms_.find(room);
    if (found == rooms_.end()) {
        found = rooms_.emplace(std::string{room}, room_stream{}).first;
        found->second.name = found->first;
    }
    room_stream& stream = found->second;
    if (stream.file) {
        recent_.splice(recent_.end(), recent_, stream.recent);
        return stream;
    }
    if (recent_.size() >= max_open_files) {
        close(*recent_.front());
    }
    // Room names are validated file names, so this path stays inside the log directory.
    stream.file.reset(std::fopen((directory_ / (stream.name + ".log")).c_str(), "a"));
    if (stream.file) {
        stream.recent = recent_.insert(recent_.end(), &stream);
    }
    return stream;
}

void chat_log::close(room_stream& stream) {
    if (stream.unflushed) {
        stream.unflushed = false;
        --unflushed_;
    }
    stream.file.reset();  // fclose writes what is buffered
    recent_.erase(stream.recent);
}

void chat_log::write(room_stream& stream, std::string_view text) {
    if (std::FILE* file = stream.file.get()) {
        std::fwrite(text.data(), 1, text.size(), file);
    }
    if (print_to_stdout_) {
        // With several rooms on one terminal, each piece says which room it belongs to.
        if (prefix_room_names_) {
            std::cout << '[' << stream.name << "] ";
        }
        std::cout << text;
        std::cout.flush();
    }
}

void chat_log::flush(room_stream& stream) {
    if (stream.file) {
        std::fflush(stream.file.get());
    }
    if (stream.unflushed) {
        stream.unflushed = false;
        --unflushed_;
    }
}

void chat_log::flush_live_later() {
    if (live_timer_armed_) {
        return;
    }
    live_timer_armed_ = true;
    live_timer_.expires_after(live_flush_interval);
    live_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec == boost::asio::error::operation_aborted) {
            return;  // cancelled: nothing was left to flush, or the log is going away
        }
        live_timer_armed_ = false;
        flush_live();
    });
}

void chat_log::flush_live() {
    for (room_stream* stream : recent_) {
        if (stream->unflushed) {
            flush(*stream);
        }
    }
}

void chat_log::on_live(const config::room& room, const room::live_text& live) {
    room_stream& stream = stream_for(room.name);
    if (live.restart) {
        if (stream.streaming_slot != 0) {
            write(stream, "\n(the answer broke off; retrying)\n");
        }
        stream.streaming_slot = 0;
    } else {
        if (stream.streaming_slot != live.slot) {
            stream.streaming_slot = live.slot;
            write(stream, live_header(live));
        }
        write(stream, live.chunk);
    }
    if (!stream.unflushed && stream.file) {
        stream.unflushed = true;
        ++unflushed_;
        flush_live_later();
    }
}

void chat_log::on_commit(const config::room& room, std::span<const core::record> records) {
    room_stream& stream = stream_for(room.name);
    for (const auto& r : records) {
        const std::string text = transcript::format_text(r);
        daemon_log_->info("[{}] {}", room.name, without_trailing_newlines(text));
        const bool streamed = r.type == core::record_type::message &&
                              stream.streaming_slot == core::slot_from_label(r.speaker);
        // A streamed message is already in the chat log: close it rather than repeat it.
        write(stream, streamed ? "\n\n" : text);
    }
    stream.streaming_slot = 0;
    flush(stream);
    if (unflushed_ == 0 && live_timer_armed_) {
        live_timer_armed_ = false;
        live_timer_.cancel();  // so that a finished `run` does not wait for it
    }
}

void chat_log::say(const std::string& room, const std::string& line) {
    daemon_log_->info("[{}] {}", room, line);
    room_stream& stream = stream_for(room);
    write(stream, line + "\n");
    flush(stream);
}

}  // namespace polylogue::app
