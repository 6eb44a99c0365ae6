// A real process killed with SIGKILL in the middle of a room, then `run` again: the room finishes
// with nothing lost or repeated, exactly as an uninterrupted run would have.

#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <set>
#include <thread>

#include "support/eventually.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

using nlohmann::json;

// Speaker and text of each message: what an uninterrupted run and a resumed one must share.
std::vector<std::string> conversation(const std::vector<json>& records) {
    std::vector<std::string> lines;
    for (const auto& r : records) {
        if (r["type"] == "message" || r["type"] == "command" || r["type"] == "join" ||
            r["type"] == "room_ended") {
            lines.push_back(r["type"].get<std::string>() + " " + r.value("speaker", "") + " " +
                            r.value("text", r.value("detail", "")));
        }
    }
    return lines;
}

void slow_down(const std::filesystem::path& config) {
    std::string text = test::read_file(config);
    const auto at = text.find("turn_delay: 0s");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 14, "turn_delay: 60ms");
    std::ofstream{config} << text;
}

// Waits, at most 10 s, until the run has printed something: its room has started. A sanitized
// build on a loaded machine can take longer than the kill delays below just to start.
void wait_until_it_talks(const test::child_process& child) {
    EXPECT_TRUE(
        test::eventually([&] { return !child.stdout_so_far().empty(); }, std::chrono::seconds{10}));
}

TEST(CrashResume, SigkillDuringARunLosesAndRepeatsNothing) {
    test::temp_dir uninterrupted;
    test::copy_from_source("tests/data/reference", uninterrupted);
    ASSERT_EQ(test::polylogue({"run", (uninterrupted / "reference.yaml").string()}).exit_code, 0);
    const auto expected =
        conversation(test::transcript_records(uninterrupted / "reference.yaml", "phenomenology"));

    test::temp_dir crashed;
    test::copy_from_source("tests/data/reference", crashed);
    const auto config = crashed / "reference.yaml";
    slow_down(config);
    for (const int wait_ms : {150, 400}) {
        test::child_process child{{test::polylogue_binary(), "run", config.string()}};
        wait_until_it_talks(child);
        std::this_thread::sleep_for(std::chrono::milliseconds{wait_ms});
        child.send(SIGKILL);
        const auto killed = child.wait(std::chrono::seconds{10});
        ASSERT_EQ(killed.signal, SIGKILL) << "the run ended before it could be killed";
    }
    const auto partial = test::transcript_records(config, "phenomenology");
    ASSERT_FALSE(partial.empty());
    ASSERT_NE(partial.back()["type"], "room_ended") << "killed too late to test a resume";

    const auto resumed = test::polylogue({"run", config.string()});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_NE(resumed.out.find("(resuming room phenomenology after record"), std::string::npos);

    const auto records = test::transcript_records(config, "phenomenology");
    for (std::size_t i = 0; i < records.size(); ++i) {
        ASSERT_EQ(records[i]["seq"], i + 1) << "a gap or a repeat in the seqs";
    }
    EXPECT_EQ(conversation(records), expected);
}

TEST(CrashResume, RunningAnEndedRoomAgainAddsNothing) {
    test::temp_dir dir;
    test::copy_from_source("tests/data/reference", dir);
    const auto config = dir / "reference.yaml";
    ASSERT_EQ(test::polylogue({"run", config.string()}).exit_code, 0);
    const auto before = test::transcript_records(config, "phenomenology");
    const auto again = test::polylogue({"run", config.string()});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_NE(again.out.find("ended earlier"), std::string::npos);
    EXPECT_EQ(test::transcript_records(config, "phenomenology").size(), before.size());
}

}  // namespace
}  // namespace polylogue
