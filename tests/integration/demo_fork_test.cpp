// The demo room (natural turn order: addresses, then seeded draws), forked at middle seqs: each
// fork goes on exactly as the demo did from there, draws included.

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>

#include "support/api_client.hpp"
#include "support/eventually.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// What a turn shows: who, what kind, what was said.
std::string turn_of(const json& r) {
    return r["type"].get<std::string>() + " " + r.value("speaker", "") + ": " + r.value("text", "");
}

class DemoFork : public ::testing::Test {
  protected:
    void SetUp() override {
        test::copy_from_source("config", dir);
        // The demo with a control API on a free loopback port, for the serve that runs the forks.
        std::ofstream{dir / "demo.yaml", std::ios::app} << "control: { listen: 127.0.0.1:0 }\n";
        const auto ran = test::polylogue({"run", config()});
        ASSERT_EQ(ran.exit_code, 0) << ran.err;
        demo = test::transcript_records(dir / "demo.yaml", "demo");
        ASSERT_TRUE(test::has_ended(json(demo)));
    }

    std::string config() const { return (dir / "demo.yaml").string(); }

    // The demo's records after seq, up to (not including) its room_ended: the fork, which counts
    // its own max_turns, goes on further.
    std::vector<std::string> demo_turns_after(std::int64_t seq) const {
        std::vector<std::string> turns;
        for (const auto& r : demo) {
            if (r["seq"].get<std::int64_t>() > seq && r["type"] != "room_ended") {
                turns.push_back(turn_of(r));
            }
        }
        return turns;
    }

    test::temp_dir dir;
    std::vector<json> demo;
};

TEST_F(DemoFork, ForksAtMiddleSeqsGoOnAsTheDemoDidWithTheSameSpeakersAndDraws) {
    // 22: an address decides the next speaker; 40: the muted AI-1 sat out, so a seeded draw does.
    const std::vector<std::int64_t> seqs{22, 40};
    for (const auto seq : seqs) {
        ASSERT_LT(seq, static_cast<std::int64_t>(demo.size()));
        const auto forked = test::polylogue({"fork", config(), "demo", "--at", std::to_string(seq),
                                             "--as", "f" + std::to_string(seq)});
        ASSERT_EQ(forked.exit_code, 0) << forked.err;
    }
    EXPECT_EQ(demo[40]["type"], "member_exhausted") << "seq 41 is no longer the draw after a skip";
    EXPECT_EQ(demo[39]["type"], "skip");

    test::child_process serve{{test::polylogue_binary(), "serve", config()}};
    const auto port = test::wait_for_serve_port(dir / "var", 20s);
    ASSERT_NE(port, 0);
    const test::api_client api{port, ""};
    for (const auto seq : seqs) {
        const std::string name = "f" + std::to_string(seq);
        json fork;
        ASSERT_TRUE(test::eventually(
            [&] { return test::has_ended(fork = test::room_records(api, name)); }, 60s))
            << name << ": " << fork.dump();
        ASSERT_GT(fork.size(), static_cast<std::size_t>(seq) + 1);
        const auto at = static_cast<std::size_t>(seq);
        EXPECT_EQ(fork[at]["type"], "forked");
        const auto expected = demo_turns_after(seq);
        ASSERT_GE(fork.size(), static_cast<std::size_t>(seq) + 1 + expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            EXPECT_EQ(turn_of(fork[static_cast<std::size_t>(seq) + 1 + i]), expected[i])
                << name << ", record " << i + 1 << " after the fork";
        }
    }
    serve.send(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

}  // namespace
}  // namespace polylogue
