#include "chat_log.hpp"

#include <iostream>

#include "polylogue/core/text.hpp"
#include "polylogue/transcript/format.hpp"

namespace polylogue::app {
namespace {

std::string without_trailing_newlines(std::string text) {
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

std::string live_header(const room::live_text& live) {
    const std::string now = core::format_rfc3339(std::chrono::system_clock::now());
    return "[" + now.substr(11, 8) + "] " + core::slot_label(live.slot) + " (" +
           std::string{live.model} + "):\n";
}

}  // namespace

chat_log::chat_log(std::filesystem::path directory, std::shared_ptr<spdlog::logger> daemon_log,
                   bool print_to_stdout, bool prefix_room_names)
    : directory_{std::move(directory)},
      daemon_log_{std::move(daemon_log)},
      print_to_stdout_{print_to_stdout},
      prefix_room_names_{prefix_room_names} {}

chat_log::room_stream& chat_log::stream_for(const std::string& room) {
    auto& stream = rooms_[room];
    if (stream.file) {
        recent_.splice(recent_.end(), recent_, stream.recent);
        return stream;
    }
    if (recent_.size() >= max_open_files) {
        rooms_.find(recent_.front())->second.file.reset();
        recent_.pop_front();
    }
    // Room names are validated file names, so this path stays inside the log directory.
    stream.file.reset(std::fopen((directory_ / (room + ".log")).c_str(), "a"));
    if (stream.file) {
        stream.recent = recent_.insert(recent_.end(), room);
    }
    return stream;
}

void chat_log::write(const std::string& room, const std::string& text) {
    if (auto* file = stream_for(room).file.get()) {
        std::fwrite(text.data(), 1, text.size(), file);
        std::fflush(file);
    }
    if (print_to_stdout_) {
        // With several rooms on one terminal, each piece says which room it belongs to.
        std::cout << (prefix_room_names_ ? "[" + room + "] " : std::string{}) << text;
        std::cout.flush();
    }
}

void chat_log::on_live(const config::room& room, const room::live_text& live) {
    auto& stream = stream_for(room.name);
    if (live.restart) {
        if (stream.streaming_slot != 0) {
            write(room.name, "\n(the answer broke off; retrying)\n");
        }
        stream.streaming_slot = 0;
        return;
    }
    if (stream.streaming_slot != live.slot) {
        stream.streaming_slot = live.slot;
        write(room.name, live_header(live));
    }
    write(room.name, std::string{live.chunk});
}

void chat_log::on_commit(const config::room& room, std::span<const core::record> records) {
    auto& stream = stream_for(room.name);
    for (const auto& r : records) {
        const std::string text = transcript::format_text(r);
        daemon_log_->info("[{}] {}", room.name, without_trailing_newlines(text));
        const bool streamed = r.type == core::record_type::message &&
                              stream.streaming_slot == core::slot_from_label(r.speaker);
        // A streamed message is already in the chat log: close it rather than repeat it.
        write(room.name, streamed ? "\n\n" : text);
    }
    stream.streaming_slot = 0;
}

void chat_log::say(const std::string& room, const std::string& line) {
    daemon_log_->info("[{}] {}", room, line);
    write(room, line + "\n");
}

}  // namespace polylogue::app
