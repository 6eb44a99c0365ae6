#include "chat_log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <iostream>

#include "polylogue/transcript/format.hpp"

namespace polylogue::app {
namespace {

std::string without_trailing_newlines(std::string text) {
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

std::string prefixed(const std::string& prefix, const std::string& text) {
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find('\n', start);
        out += prefix + text.substr(start, end == std::string::npos ? end : end - start) + "\n";
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

}  // namespace

chat_log::chat_log(std::filesystem::path directory, std::shared_ptr<spdlog::logger> daemon_log,
                   bool print_to_stdout, bool prefix_room_names)
    : directory_{std::move(directory)},
      daemon_log_{std::move(daemon_log)},
      print_to_stdout_{print_to_stdout},
      prefix_room_names_{prefix_room_names} {}

spdlog::logger& chat_log::room_log(const std::string& room) {
    auto found = room_logs_.find(room);
    if (found == room_logs_.end()) {
        // Room names are validated file names, so this path stays inside the log directory.
        auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(
            (directory_ / (room + ".log")).string());
        auto log = std::make_shared<spdlog::logger>("room." + room, std::move(sink));
        log->set_pattern("%v");
        log->flush_on(spdlog::level::info);
        found = room_logs_.emplace(room, std::move(log)).first;
    }
    return *found->second;
}

void chat_log::emit(const std::string& room, const std::string& text) {
    room_log(room).info(without_trailing_newlines(text));
    daemon_log_->info("[{}] {}", room, without_trailing_newlines(text));
    if (print_to_stdout_) {
        std::cout << (prefix_room_names_ ? prefixed(room + " | ", without_trailing_newlines(text))
                                         : text);
        std::cout.flush();
    }
}

void chat_log::on_commit(const config::room& room, std::span<const core::record> records) {
    for (const auto& r : records) {
        emit(room.name, transcript::format_text(r));
    }
}

void chat_log::say(const std::string& room, const std::string& line) {
    emit(room, line + "\n");
}

std::shared_ptr<spdlog::logger> make_daemon_log(const std::filesystem::path& directory,
                                                spdlog::level::level_enum stderr_level) {
    auto file =
        std::make_shared<spdlog::sinks::basic_file_sink_mt>((directory / "polylogue.log").string());
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(stderr_level);
    auto log =
        std::make_shared<spdlog::logger>("polylogue", spdlog::sinks_init_list{file, console});
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v", spdlog::pattern_time_type::utc);
    log->flush_on(spdlog::level::info);
    return log;
}

}  // namespace polylogue::app
