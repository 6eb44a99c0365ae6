// The chat log keeps a bounded number of ROOM.log files open, however many rooms write, and
// streamed text reaches the file in one write per turn, or soon when the turn takes long.
// (An event loop, for the timer that flushes slow streams: hence an integration test.)

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/chat_log.hpp"
#include "support/loop.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::app {
namespace {

using namespace std::chrono_literals;

std::size_t open_descriptors() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator{"/proc/self/fd"}) {
        ++count;
    }
    return count;
}

std::shared_ptr<spdlog::logger> quiet_log() {
    return std::make_shared<spdlog::logger>("chat-test",
                                            std::make_shared<spdlog::sinks::null_sink_mt>());
}

core::record notice(std::int64_t seq, std::string text) {
    core::record r;
    r.seq = seq;
    r.type = core::record_type::notice;
    r.text = std::move(text);
    return r;
}

core::record message_by(int slot, std::int64_t seq, std::string text) {
    core::record r;
    r.seq = seq;
    r.type = core::record_type::message;
    r.speaker = core::slot_label(slot);
    r.model = "Model";
    r.text = std::move(text);
    return r;
}

room::live_text chunk(int slot, std::string_view text) {
    return room::live_text{slot, "Model", text, false};
}

std::size_t occurrences(const std::string& text, std::string_view fragment) {
    std::size_t count = 0;
    for (auto at = text.find(fragment); at != std::string::npos;
         at = text.find(fragment, at + fragment.size())) {
        ++count;
    }
    return count;
}

TEST(ChatLog, AFileThatCannotBeWrittenIsToldOnceAndAgainWhenItRecovers) {
    test::temp_dir dir;
    boost::asio::io_context loop;
    std::ostringstream said;
    auto daemon_log = std::make_shared<spdlog::logger>(
        "chat-test", std::make_shared<spdlog::sinks::ostream_sink_st>(said));
    daemon_log->set_pattern("%l %v");
    chat_log log{loop.get_executor(), dir.path(), daemon_log, false, false};
    config::room room;
    room.name = "blocked";
    // A directory where the file should be: every open fails (EISDIR).
    std::filesystem::create_directory(dir.path() / "blocked.log");
    for (std::int64_t seq = 1; seq <= 3; ++seq) {
        const std::vector<core::record> batch{notice(seq, "line " + std::to_string(seq))};
        log.on_commit(room, batch);
    }
    EXPECT_EQ(occurrences(said.str(), "warning [blocked] chat log blocked.log cannot be written"),
              1u)
        << said.str();
    std::filesystem::remove(dir.path() / "blocked.log");
    const std::vector<core::record> batch{notice(4, "line 4")};
    log.on_commit(room, batch);
    EXPECT_EQ(occurrences(said.str(), "info [blocked] chat log blocked.log is written again"), 1u)
        << said.str();
    EXPECT_NE(test::read_file(dir.path() / "blocked.log").find("line 4"), std::string::npos);
}

TEST(ChatLog, ThousandsOfRoomsKeepABoundedNumberOfFilesOpenAndLoseNoLine) {
    test::temp_dir dir;
    boost::asio::io_context loop;
    chat_log log{loop.get_executor(), dir.path(), quiet_log(), false, false};
    const std::size_t before = open_descriptors();
    std::vector<config::room> rooms(300);
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        rooms[i].name = "room-" + std::to_string(i);
    }
    for (int round = 1; round <= 3; ++round) {
        for (const auto& room : rooms) {
            const std::vector<core::record> batch{notice(round, "line " + std::to_string(round))};
            log.on_live(room, chunk(1, "streamed " + std::to_string(round)));
            log.on_commit(room, batch);
        }
        EXPECT_LE(open_descriptors(), before + 64);
    }
    for (const auto& room : {rooms.front(), rooms.back()}) {
        const std::string text = test::read_file(dir.path() / (room.name + ".log"));
        EXPECT_NE(text.find("streamed 1"), std::string::npos);
        EXPECT_NE(text.find("line 1"), std::string::npos);
        EXPECT_NE(text.find("line 3"), std::string::npos);
    }
    test::run_with_limit(loop, 1s);  // a commit leaves no flush pending
}

TEST(ChatLog, AStreamedReplyIsInTheFileOnceItsTurnCommits) {
    test::temp_dir dir;
    boost::asio::io_context loop;
    chat_log log{loop.get_executor(), dir.path(), quiet_log(), false, false};
    config::room room;
    room.name = "lobby";
    const auto file = dir.path() / "lobby.log";
    log.on_live(room, chunk(2, "Hello "));
    log.on_live(room, chunk(2, "there."));
    const std::vector<core::record> batch{message_by(2, 1, "Hello there.")};
    log.on_commit(room, batch);
    const std::string text = test::read_file(file);
    EXPECT_NE(text.find("AI-2 (Model):\nHello there.\n\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("Hello there.", text.find("Hello there.") + 1), std::string::npos)
        << "the committed message repeats what was streamed: " << text;
    test::run_with_limit(loop, 1s);
}

// turn_order parallel: three members stream at once, then commit one after another.
TEST(ChatLog, InterleavedStreamsOfAParallelRoundShowEachReplyOnceAndWhole) {
    test::temp_dir dir;
    boost::asio::io_context loop;
    chat_log log{loop.get_executor(), dir.path(), quiet_log(), false, false};
    config::room room;
    room.name = "round";
    log.on_live(room, chunk(1, "Alpha one "));
    log.on_live(room, chunk(2, "Beta one "));
    log.on_live(room, chunk(3, "Gamma one "));
    log.on_live(room, room::live_text{2, "Model", {}, true});  // AI-2 starts over
    log.on_live(room, chunk(2, "Beta two "));
    log.on_live(room, chunk(1, "Alpha two"));
    log.on_live(room, chunk(3, "Gamma two"));
    log.on_live(room, chunk(2, "Beta three"));
    const std::vector<core::record> first{message_by(1, 1, "Alpha one Alpha two")};
    const std::vector<core::record> second{message_by(2, 2, "Beta two Beta three")};
    const std::vector<core::record> third{message_by(3, 3, "Gamma one Gamma two")};
    log.on_commit(room, first);
    log.on_commit(room, second);
    log.on_commit(room, third);
    const std::string text = test::read_file(dir.path() / "round.log");
    for (const std::string_view reply :
         {"Alpha one Alpha two", "Beta two Beta three", "Gamma one Gamma two"}) {
        EXPECT_EQ(occurrences(text, reply), 1u) << reply << " in:\n" << text;
    }
    EXPECT_EQ(occurrences(text, "Beta one"), 0u) << text;
    EXPECT_EQ(occurrences(text, "broke off"), 0u) << "AI-2's restart was never shown: " << text;
    EXPECT_LT(text.find("Alpha one"), text.find("Beta two")) << text;
    EXPECT_LT(text.find("Beta two"), text.find("Gamma one")) << text;
    test::run_with_limit(loop, 1s);
}

TEST(ChatLog, ASlowStreamReachesTheFileWithinTheFlushIntervalBeforeItsTurnEnds) {
    test::temp_dir dir;
    boost::asio::io_context loop;
    chat_log log{loop.get_executor(), dir.path(), quiet_log(), false, false};
    config::room room;
    room.name = "lobby";
    const auto file = dir.path() / "lobby.log";
    log.on_live(room, chunk(1, "still thinking"));
    std::string seen_later;
    boost::asio::steady_timer later{loop, chat_log::live_flush_interval * 3};
    later.async_wait([&](boost::system::error_code) { seen_later = test::read_file(file); });
    test::run_with_limit(loop, 2s);
    EXPECT_NE(seen_later.find("still thinking"), std::string::npos) << seen_later;
}

// The chat log writes on the loop thread (docs/architecture.md says why): this measures what a
// turn's lines cost the loop while another thread fsyncs the same disk, as the committer does.
// More rooms than open files, so that closing and reopening files is part of the cost.
TEST(ChatLog, ATurnsLinesCostTheLoopWellUnderAMillisecondWhileTheDiskSyncs) {
    test::temp_dir dir;
    boost::asio::io_context loop;
    chat_log log{loop.get_executor(), dir.path(), quiet_log(), false, false};
    std::vector<config::room> rooms(100);
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        rooms[i].name = "room-" + std::to_string(i);
    }
    std::atomic<bool> syncing{true};
    std::thread disk_load{[&] {
        const int fd = ::open((dir.path() / "load").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const std::string block(64 * 1024, 'x');
        while (syncing && fd >= 0) {
            [[maybe_unused]] const auto written = ::write(fd, block.data(), block.size());
            ::fsync(fd);
        }
        ::close(fd);
    }};
    const std::string reply(2000, 'w');  // a typical reply's size
    std::vector<std::chrono::nanoseconds> costs;
    for (int round = 1; round <= 20; ++round) {
        for (const auto& room : rooms) {
            const std::vector<core::record> batch{message_by(1, 2 * round, reply),
                                                  notice(2 * round + 1, "a command's outcome")};
            const auto started = std::chrono::steady_clock::now();
            log.on_commit(room, batch);
            costs.push_back(std::chrono::steady_clock::now() - started);
        }
    }
    syncing = false;
    disk_load.join();
    std::ranges::sort(costs);
    const auto at = [&](double share) {
        const auto index = static_cast<std::size_t>(share * static_cast<double>(costs.size() - 1));
        return std::chrono::duration<double, std::micro>(costs[index]).count();
    };
    std::cout << "[ measure  ] chat log, one turn's lines (" << costs.size()
              << " turns, 100 rooms, fsyncs alongside): p50 " << at(0.5) << " us, p99 " << at(0.99)
              << " us, p99.9 " << at(0.999) << " us, max " << at(1.0) << " us\n";
    EXPECT_LT(at(0.99), 1000.0) << "a turn's chat-log lines cost the loop over 1 ms at p99";
    test::run_with_limit(loop, 1s);
}

}  // namespace
}  // namespace polylogue::app
