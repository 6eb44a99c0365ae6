// The chat log keeps a bounded number of ROOM.log files open, however many rooms write.

#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/chat_log.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::app {
namespace {

std::size_t open_descriptors() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator{"/proc/self/fd"}) {
        ++count;
    }
    return count;
}

core::record notice(std::int64_t seq, std::string text) {
    core::record r;
    r.seq = seq;
    r.type = core::record_type::notice;
    r.text = std::move(text);
    return r;
}

TEST(ChatLog, ThousandsOfRoomsKeepABoundedNumberOfFilesOpenAndLoseNoLine) {
    test::temp_dir dir;
    auto quiet = std::make_shared<spdlog::logger>("chat-test",
                                                  std::make_shared<spdlog::sinks::null_sink_mt>());
    chat_log log{dir.path(), quiet, false, false};
    const std::size_t before = open_descriptors();
    std::vector<config::room> rooms(300);
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        rooms[i].name = "room-" + std::to_string(i);
    }
    for (int round = 1; round <= 3; ++round) {
        for (const auto& room : rooms) {
            const std::vector<core::record> batch{notice(round, "line " + std::to_string(round))};
            log.on_commit(room, batch);
        }
        EXPECT_LE(open_descriptors(), before + 64);
    }
    for (const auto& room : {rooms.front(), rooms.back()}) {
        const std::string text = test::read_file(dir.path() / (room.name + ".log"));
        EXPECT_NE(text.find("line 1"), std::string::npos);
        EXPECT_NE(text.find("line 3"), std::string::npos);
    }
}

}  // namespace
}  // namespace polylogue::app
