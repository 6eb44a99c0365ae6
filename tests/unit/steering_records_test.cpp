// The records of conversation control (next_speaker, loop_detected, settings_changed, left,
// forked, archived): their JSON contract and what they fold to.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "polylogue/room/room_state.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using core::record_type;
using test::join;
using test::message;

core::record settings_change(std::string settings) {
    core::record r = test::of_type(record_type::settings_changed, 0, "changed");
    r.settings = std::move(settings);
    return r;
}

core::record fork_mark(std::string origin, std::int64_t at, std::string lineage) {
    core::record r = test::of_type(record_type::forked, 0, "forked");
    r.origin = std::move(origin);
    r.origin_seq = at;
    r.lineage = std::move(lineage);
    return r;
}

TEST(SteeringRecords, EachRoundTripsThroughItsJsonForm) {
    auto chosen = test::of_type(record_type::next_speaker, 2, "The selector chose AI-2");
    chosen.chosen_by = "natural";
    chosen.detail = "the selector answered \"nobody\"";
    auto loop = test::of_type(record_type::loop_detected, 0, "repeating");
    loop.value = 0.91;
    loop.detail = "pause";
    const auto records = test::numbered(
        {chosen, loop, settings_change(R"({"max_turns":60,"turn_delay":null})"),
         test::of_type(record_type::left, 3, "AI-3 left"), fork_mark("demo", 9, "demo"),
         test::of_type(record_type::archived, 0, "archived by ops")});
    for (const auto& r : records) {
        const auto back = core::record_from_json(core::to_json(r));
        ASSERT_TRUE(back) << core::to_json(r).dump();
        EXPECT_EQ(core::to_json(*back), core::to_json(r));
    }
    const auto settings = core::to_json(records[2]);
    EXPECT_TRUE(settings["settings"].is_object());
    EXPECT_EQ(settings["settings"]["max_turns"], 60);
    EXPECT_EQ(core::to_json(records[1])["action"], "pause");
    EXPECT_EQ(core::to_json(records[1])["similarity"], 0.91);
}

TEST(SteeringRecords, ASelectorsTokensAreWrittenSoThatAReplayCountsThemAgain) {
    auto chosen = test::of_type(record_type::next_speaker, 1, "The selector (Judge) chose AI-1");
    chosen.chosen_by = "selector";
    chosen.input_tokens = 900;
    chosen.cached_input_tokens = 600;
    chosen.cache_write_tokens = 200;
    chosen.output_tokens = 4;
    chosen.cost_usd = 0.001;
    const auto live = test::numbered({join(1, "A"), chosen});
    std::vector<core::record> replayed;
    replayed.reserve(live.size());
    for (const auto& r : live) {
        replayed.push_back(core::record_from_json(core::to_json(r)).value());
    }
    const room_state state = fold(replayed);
    EXPECT_EQ(state.input_tokens, 900);
    EXPECT_EQ(state.cached_input_tokens, 600);
    EXPECT_EQ(state.cache_write_tokens, 200);
    EXPECT_EQ(state.output_tokens, 4);
    EXPECT_EQ(state.cost_usd, 0.001);
    EXPECT_EQ(core::to_json(replayed[1])["cached_input_tokens"], 600);
}

TEST(SteeringRecords, MalformedSettingsAreWrittenAsAnEmptyObject) {
    auto r = settings_change("{not json");
    r.seq = 1;
    EXPECT_EQ(core::to_json(r)["settings"], nlohmann::json::object());
}

TEST(SteeringRecords, ANextSpeakerChoiceLastsUntilAnAiTurnComes) {
    auto records = test::numbered({join(1, "A"), join(2, "B"), join(3, "C"),
                                   test::of_type(record_type::next_speaker, 3, "chosen")});
    EXPECT_EQ(fold(records).requested_next, 3);
    records.push_back(message("janus", "a human spoke"));
    records.push_back(message("AI-3", "here I am"));
    records = test::numbered(records);
    EXPECT_EQ(fold(records).requested_next, 0);
}

TEST(SteeringRecords, ARoundEndsWhenASlotComesAgain) {
    const auto records =
        test::numbered({join(1, "A"), join(2, "B"), join(3, "C"), message("AI-2", "x"),
                        message("AI-3", "y"), message("AI-1", "z"), message("AI-3", "new round")});
    EXPECT_EQ(fold(records).round_taken, (std::vector<int>{3}));
}

TEST(SteeringRecords, SettingsMergeInOrderAndNullGoesBackToTheConfig) {
    const room_state state =
        fold(test::numbered({settings_change(R"({"max_turns":60,"turn_delay":"1s"})"),
                             settings_change(R"({"max_turns":null,"turn_order":"natural"})")}));
    EXPECT_EQ(nlohmann::json::parse(state.settings),
              nlohmann::json::parse(R"({"turn_delay":"1s","turn_order":"natural"})"));
}

TEST(SteeringRecords, ALeftMemberFreesItsSeatButKeepsItsSlot) {
    const room_state state =
        fold(test::numbered({join(1, "A"), join(2, "B"), join(3, "C"),
                             test::of_type(record_type::left, 2, "B left"), join(4, "B", "AI-1")}));
    ASSERT_EQ(state.members.size(), 4u);
    EXPECT_TRUE(state.members[1].left);
    EXPECT_EQ(state.present(), 3);
    EXPECT_EQ(state.find_model("B")->slot, 4);
    EXPECT_EQ(state.members[3].joined_seq, 5);
}

TEST(SteeringRecords, TheAiStreakCountsAiMessagesUntilAHumanOrAResume) {
    auto records = test::numbered({join(1, "A"), message("AI-1", "1"), message("AI-1", "2")});
    EXPECT_EQ(fold(records).ai_streak, 2);
    records.push_back(message("janus", "stop it"));
    records.push_back(message("AI-1", "3"));
    EXPECT_EQ(fold(test::numbered(records)).ai_streak, 1);
    records.push_back(test::of_type(record_type::resumed, 0, "resumed"));
    EXPECT_EQ(fold(test::numbered(records)).ai_streak, 0);
}

TEST(SteeringRecords, AForkReopensAnEndedRoomAndCountsFromItself) {
    auto paid = message("AI-1", "x", "A");
    paid.cost_usd = 0.5;
    const room_state state = fold(
        test::numbered({join(1, "A"), join(2, "B"), paid, message("AI-2", "y"),
                        test::of_type(record_type::room_ended, 0, "reached max_turns (2 AI turns)"),
                        fork_mark("origin", 5, "first")}));
    EXPECT_FALSE(state.ended);
    EXPECT_EQ(state.ai_turns, 0);
    EXPECT_EQ(state.cost_usd, 0.0);
    EXPECT_EQ(state.last_speaker, 2);  // whose turn comes next is the origin's
    EXPECT_EQ(state.members[0].replies, 1u);
    EXPECT_EQ(state.origin, "origin");
    EXPECT_EQ(state.origin_seq, 5);
    EXPECT_EQ(state.lineage, "first");
    EXPECT_EQ(state.loop_checked_after, 6);
    EXPECT_EQ(state.draw_seq(), 5);  // as the origin was at seq 5
}

TEST(SteeringRecords, AnArchivedRoomHasEnded) {
    const room_state state =
        fold(test::numbered({join(1, "A"), test::of_type(record_type::room_ended, 0, "archived"),
                             test::of_type(record_type::archived, 0, "archived by ops")}));
    EXPECT_TRUE(state.archived);
    EXPECT_TRUE(state.ended);
    EXPECT_EQ(state.end_reason, "archived");
}

}  // namespace
}  // namespace polylogue::room
