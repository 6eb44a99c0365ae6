// What a fork is made of, without a daemon: the origin's room written back as a rooms entry
// (room_text), and the records a fork begins with (fork_records).

#include <gtest/gtest.h>

#include "polylogue/config/loader.hpp"
#include "polylogue/config/room_text.hpp"
#include "polylogue/room/fork_records.hpp"
#include "polylogue/room/room_state.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"

namespace polylogue {
namespace {

const std::string catalogue =
    "providers:\n  stage: { kind: scripted }\n"
    "models:\n"
    "  - { name: Ada, provider: stage, script: a.yaml }\n"
    "  - { name: Babbage, provider: stage, script: a.yaml }\n"
    "  - { name: Judge, provider: stage, script: a.yaml }\n"
    "tools:\n"
    "  - { name: painter, kind: openai_images, base_url: http://127.0.0.1:9, model: m, "
    "api_key_env: PL_KEY }\n"
    "  - { name: web, kind: searxng, base_url: http://127.0.0.1:9 }\n";

class RoomText : public ::testing::Test {
  protected:
    test::temp_dir dir;

    config::config base() {
        dir.write("a.yaml", "- hi\n");
        auto loaded = config::parse_config(catalogue, dir / "polylogue.yaml");
        EXPECT_TRUE(loaded) << loaded.error().problems.front().to_string();
        return loaded ? *loaded : config::config{};
    }
};

void expect_same_room(const config::room& a, const config::room& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.members, b.members);
    EXPECT_EQ(a.max_ais, b.max_ais);
    EXPECT_EQ(a.max_turns, b.max_turns);
    EXPECT_EQ(a.turn_delay, b.turn_delay);
    ASSERT_EQ(a.opening.has_value(), b.opening.has_value());
    if (a.opening) {
        EXPECT_EQ(a.opening->speaker, b.opening->speaker);
        EXPECT_EQ(a.opening->text, b.opening->text);
    }
    EXPECT_EQ(a.system_prompt, b.system_prompt);
    EXPECT_EQ(a.max_cost_usd, b.max_cost_usd);
    EXPECT_EQ(a.suspend_after_failures, b.suspend_after_failures);
    EXPECT_EQ(a.suspension.cool_down, b.suspension.cool_down);
    EXPECT_EQ(a.suspension.max_cool_down, b.suspension.max_cool_down);
    EXPECT_EQ(a.suspension.retries, b.suspension.retries);
    EXPECT_EQ(a.image_tool, b.image_tool);
    EXPECT_EQ(a.search_tool, b.search_tool);
    EXPECT_EQ(a.turn_order, b.turn_order);
    EXPECT_EQ(a.selector, b.selector);
    ASSERT_EQ(a.loop_guard.has_value(), b.loop_guard.has_value());
    if (a.loop_guard) {
        EXPECT_EQ(a.loop_guard->window, b.loop_guard->window);
        EXPECT_EQ(a.loop_guard->similarity, b.loop_guard->similarity);
        EXPECT_EQ(a.loop_guard->action, b.loop_guard->action);
    }
    EXPECT_EQ(a.max_ai_streak, b.max_ai_streak);
    EXPECT_EQ(a.invitee_history, b.invitee_history);
    EXPECT_EQ(a.talkativeness, b.talkativeness);
}

TEST_F(RoomText, ARoomWithEveryKeySetReadsBackEqual) {
    const auto cfg = base();
    const auto written = config::parse_room(
        "name: salon\n"
        "members: [{model: Ada, talkativeness: 0.9}, Babbage]\n"
        "max_ais: 4\nmax_turns: 77\nturn_delay: 1500ms\n"
        "opening: {speaker: janus, text: \"Begin: \\\"quoted\\\" and {braces}\"}\n"
        "system_prompt: \"You are {slot} in {room}.\\nBe brief.\"\n"
        "max_cost_usd: 0.125\nsuspend_after_failures: 5\n"
        "suspension: {cool_down: 90s, max_cool_down: 45m, retries: 7}\n"
        "tools: {image: painter, search: web}\n"
        "turn_order: selector\nselector: Judge\n"
        "loop_guard: {window: 6, similarity: 0.65, action: end}\n"
        "max_ai_streak: 12\ninvitee_history: since_join\n",
        cfg, "body");
    ASSERT_TRUE(written) << written.error().problems.front().to_string();
    const auto again = config::parse_room(config::room_text(*written), cfg, "again");
    ASSERT_TRUE(again) << again.error().problems.front().to_string() << "\n"
                       << config::room_text(*written);
    expect_same_room(*written, *again);
}

TEST_F(RoomText, ARoomOfDefaultsReadsBackEqual) {
    const auto cfg = base();
    const auto written = config::parse_room("{name: plain, members: [Ada]}", cfg, "body");
    ASSERT_TRUE(written);
    const auto again = config::parse_room(config::room_text(*written), cfg, "again");
    ASSERT_TRUE(again) << config::room_text(*written);
    expect_same_room(*written, *again);
}

std::vector<core::record> origin_history() {
    auto records = test::numbered({test::join(1, "Ada"), test::join(2, "Babbage"),
                                   test::message("janus", "hello"), test::message("AI-1", "one"),
                                   test::message("AI-2", "two"), test::message("AI-1", "three")});
    core::record ended;
    ended.type = core::record_type::room_ended;
    ended.text = "max_turns reached";
    ended.seq = 7;
    ended.time = "2026-11-29T04:31:00.000Z";
    records.push_back(ended);
    return records;
}

TEST(ForkRecords, KeepTheOriginsRecordsUpToAtThenAForkedRecord) {
    const auto history = origin_history();
    const auto records =
        room::fork_records(history, {"salon", 4, "janus", "2026-12-01T00:00:00.000Z"});
    ASSERT_EQ(records.size(), 5u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(records[i].seq, history[i].seq);
        EXPECT_EQ(records[i].time, history[i].time);
        EXPECT_EQ(records[i].text, history[i].text);
        EXPECT_EQ(records[i].speaker, history[i].speaker);
    }
    const auto& forked = records.back();
    EXPECT_EQ(forked.type, core::record_type::forked);
    EXPECT_EQ(forked.seq, 5);
    EXPECT_EQ(forked.time, "2026-12-01T00:00:00.000Z");
    EXPECT_EQ(forked.origin, "salon");
    EXPECT_EQ(forked.origin_seq, 4);
    EXPECT_EQ(forked.lineage, "salon");
    EXPECT_EQ(forked.text, "Forked from salon at seq 4 by janus");
}

TEST(ForkRecords, AForkOfAnEndedRoomAtItsLastRecordFoldsToARunningRoomCountingAfresh) {
    const auto history = origin_history();
    ASSERT_TRUE(room::fold(history).ended);
    const auto state = room::fold(room::fork_records(history, {"salon", 7, "janus", "t"}));
    EXPECT_FALSE(state.ended);
    EXPECT_EQ(state.ai_turns, 0);
    EXPECT_EQ(state.members.size(), 2u);
    EXPECT_EQ(state.last_speaker, 1);
    EXPECT_EQ(state.origin, "salon");
    EXPECT_EQ(state.origin_seq, 7);
    EXPECT_EQ(state.last_seq, 8);
}

TEST(ForkRecords, AForkOfAForkKeepsTheFirstRoomAsItsLineage) {
    const auto first = room::fork_records(origin_history(), {"salon", 5, "janus", "t"});
    const auto second = room::fork_records(first, {"salon-b", 6, "janus", "t"});
    EXPECT_EQ(second.back().origin, "salon-b");
    EXPECT_EQ(second.back().lineage, "salon");
    EXPECT_EQ(room::lineage_of(second, "salon-c"), "salon");
    EXPECT_EQ(room::lineage_of(origin_history(), "salon"), "salon");
}

TEST(ForkRecords, OnlyTheOriginsOwnSeqsCanBeForked) {
    const auto history = origin_history();
    EXPECT_FALSE(room::forkable_at(history, 0));
    EXPECT_TRUE(room::forkable_at(history, 1));
    EXPECT_TRUE(room::forkable_at(history, 7));
    EXPECT_FALSE(room::forkable_at(history, 8));
    EXPECT_FALSE(room::forkable_at({}, 1));
}

}  // namespace
}  // namespace polylogue
