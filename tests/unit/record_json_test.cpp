#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "polylogue/core/record.hpp"
#include "support/records.hpp"

namespace polylogue::core {
namespace {

TEST(RecordJson, MessageHasTheContractFields) {
    auto r = test::numbered({test::message("AI-3", "hello", "Claude 3 Opus")}).front();
    const auto j = to_json(r);
    EXPECT_EQ(j["seq"], 1);
    EXPECT_EQ(j["time"], "2026-11-29T04:30:00.000Z");
    EXPECT_EQ(j["type"], "message");
    EXPECT_EQ(j["speaker"], "AI-3");
    EXPECT_EQ(j["model"], "Claude 3 Opus");
    EXPECT_EQ(j["text"], "hello");
}

TEST(RecordJson, HumanMessageHasNoModel) {
    const auto j = to_json(test::message("janus", "hi"));
    EXPECT_FALSE(j.contains("model"));
}

TEST(RecordJson, CommandHasArgsStatusDetailAndTemperatureValue) {
    auto r = test::command(1, "temperature", {"3.5"});
    r.detail = "temperature set to 2";
    r.value = 2.0;
    r.requested = 3.5;
    const auto j = to_json(r);
    EXPECT_EQ(j["command"], "temperature");
    EXPECT_EQ(j["args"], nlohmann::json::array({"3.5"}));
    EXPECT_EQ(j["status"], "ok");
    EXPECT_EQ(j["detail"], "temperature set to 2");
    EXPECT_EQ(j["value"], 2.0);
    EXPECT_EQ(j["requested"], 3.5);
}

TEST(RecordJson, JoinHasSlotModelAndInviter) {
    const auto j = to_json(test::join(3, "Claude 3 Opus", "AI-1"));
    EXPECT_EQ(j["type"], "join");
    EXPECT_EQ(j["speaker"], "AI-3");
    EXPECT_EQ(j["model"], "Claude 3 Opus");
    EXPECT_EQ(j["invited_by"], "AI-1");
    EXPECT_EQ(j["temperature"], 1.0);
}

TEST(RecordJson, EveryRecordRoundTrips) {
    auto command = test::command(2, "add_ai", {"Grok 4", "hi"}, command_status::rejected);
    command.detail = "maximum of 5 AIs already reached";
    const auto records =
        test::numbered({test::join(1, "A", "config"), test::message("AI-1", "x", "A"), command,
                        test::of_type(record_type::skip, 1, "sits out"),
                        test::of_type(record_type::room_ended, 0, "done")});
    for (const auto& r : records) {
        const auto back = record_from_json(to_json(r));
        ASSERT_TRUE(back) << to_json(r).dump();
        EXPECT_EQ(to_json(*back), to_json(r));
    }
}

TEST(RecordJson, SuspensionCarriesItsRetryAndAFailedRoomItsCause) {
    auto suspended = test::of_type(record_type::member_suspended, 2, "AI-2 is suspended");
    suspended.retry = 3;
    suspended.retry_at = "2026-11-29T04:34:00.000Z";
    auto given_up = test::of_type(record_type::member_suspended, 2, "AI-2 stays suspended");
    auto ended = test::of_type(record_type::room_ended, 0, "no member can speak");
    ended.failure = "members_failed";
    const auto records = test::numbered(
        {suspended, given_up, ended, test::of_type(record_type::member_reinstated, 2, "back")});
    EXPECT_EQ(to_json(records[0])["retry"], 3);
    EXPECT_EQ(to_json(records[0])["retry_at"], "2026-11-29T04:34:00.000Z");
    EXPECT_FALSE(to_json(records[1]).contains("retry_at"));
    EXPECT_EQ(to_json(records[2])["failure"], "members_failed");
    EXPECT_EQ(to_json(records[3])["type"], "member_reinstated");
    for (const auto& r : records) {
        const auto back = record_from_json(to_json(r));
        ASSERT_TRUE(back) << to_json(r).dump();
        EXPECT_EQ(to_json(*back), to_json(r));
    }
}

TEST(RecordJson, ToolResultsCarryTheirCostAndABudgetPauseItsResumeTime) {
    auto image = test::of_type(record_type::image, 1, "a red fox");
    image.path = "images/lab/3-abc.png";
    image.cost_usd = 0.04;
    auto search = test::of_type(record_type::search_results, 1, "foxes");
    search.cost_usd = 0.005;
    auto unsaved = test::command(1, "image", {"a red fox"}, command_status::failed);
    unsaved.cost_usd = 0.04;
    auto paused = test::of_type(record_type::paused, 0, "the daily budget is spent");
    paused.resume_at = "2026-11-30T00:00:00.000Z";
    const auto operator_pause = test::of_type(record_type::paused, 0, "paused by ops");
    const auto records = test::numbered({image, search, unsaved, paused, operator_pause});
    EXPECT_EQ(to_json(records[0])["cost_usd"], 0.04);
    EXPECT_EQ(to_json(records[1])["cost_usd"], 0.005);
    EXPECT_EQ(to_json(records[2])["cost_usd"], 0.04);
    EXPECT_EQ(to_json(records[3])["resume_at"], "2026-11-30T00:00:00.000Z");
    EXPECT_FALSE(to_json(records[4]).contains("resume_at"));
    for (const auto& r : records) {
        const auto back = record_from_json(to_json(r));
        ASSERT_TRUE(back) << to_json(r).dump();
        EXPECT_EQ(to_json(*back), to_json(r));
    }
}

TEST(RecordJson, AnImageCarriesItsSizeWhenKnownAndRoundTrips) {
    auto r = test::of_type(record_type::image, 1, "a fox");
    r.path = "images/lab/5-ab.png";
    r.mime = "image/png";
    r.bytes = 73;
    EXPECT_FALSE(to_json(r).contains("width"));
    r.width = 1024;
    r.height = 768;
    const auto j = to_json(r);
    EXPECT_EQ(j["width"], 1024);
    EXPECT_EQ(j["height"], 768);
    const auto back = record_from_json(j);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->width, 1024);
    EXPECT_EQ(back->height, 768);
    auto absurd = j;
    absurd["width"] = -5;
    absurd["height"] = 1e12;
    EXPECT_EQ(record_from_json(absurd)->width, 0);
    EXPECT_EQ(record_from_json(absurd)->height, 0);
}

TEST(RecordJson, UnknownTypeIsACorruptRecord) {
    const auto back = record_from_json(nlohmann::json{{"seq", 1}, {"type", "gossip"}});
    ASSERT_FALSE(back);
    EXPECT_EQ(back.error(), errc::corrupt_record);
}

TEST(SlotLabel, RoundTripsAndRejectsOtherNames) {
    EXPECT_EQ(slot_label(4), "AI-4");
    EXPECT_EQ(slot_from_label("AI-4"), 4);
    EXPECT_EQ(slot_from_label("janus"), 0);
    EXPECT_EQ(slot_from_label("AI-"), 0);
    EXPECT_EQ(slot_from_label("AI-3x"), 0);
    EXPECT_EQ(slot_from_label("AI-0"), 0);
}

}  // namespace
}  // namespace polylogue::core
