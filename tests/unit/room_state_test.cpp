#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "polylogue/room/room_state.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using test::command;
using test::join;
using test::message;

TEST(RoomState, JoinsSeatMembersInSlotOrder) {
    const auto records = test::numbered(
        {join(1, "Gemini 3 Pro"), join(2, "Claude Opus 4.5"), join(3, "Claude 3 Opus", "AI-1")});
    const room_state state = fold(records);
    ASSERT_EQ(state.members.size(), 3u);
    EXPECT_EQ(state.members[2].slot, 3);
    EXPECT_EQ(state.members[2].model, "Claude 3 Opus");
    EXPECT_EQ(state.members[2].invited_by, "AI-1");
    EXPECT_EQ(state.last_seq, 3);
}

TEST(RoomState, OutOfOrderJoinIsIgnored) {
    const room_state state = fold(test::numbered({join(2, "Grok 4")}));
    EXPECT_TRUE(state.members.empty());
}

TEST(RoomState, AiMessagesCountTurnsAndRepliesButHumanMessagesDoNot) {
    const auto records =
        test::numbered({join(1, "A"), join(2, "B"), message("janus", "hello"),
                        message("AI-1", "hi"), message("AI-2", "yo"), message("AI-1", "again")});
    const room_state state = fold(records);
    EXPECT_EQ(state.ai_turns, 3);
    EXPECT_EQ(state.members[0].replies, 2u);
    EXPECT_EQ(state.members[1].replies, 1u);
    EXPECT_EQ(state.last_speaker, 1);
}

TEST(RoomState, OkTemperatureCommandSetsTheSpeakersTemperature) {
    auto set = command(1, "temperature", {"3"});
    set.value = 2.0;
    auto refused = command(1, "temperature", {"hot"}, core::command_status::rejected);
    const room_state state = fold(test::numbered({join(1, "A"), set, refused}));
    EXPECT_EQ(state.members[0].temperature, 2.0);
}

TEST(RoomState, MuteLastsUntilTheSkipRecord) {
    auto records = test::numbered({join(1, "A"), command(1, "mute_self", {})});
    EXPECT_TRUE(fold(records).members[0].muted);
    records.push_back(test::of_type(core::record_type::skip, 1));
    records.back().seq = 3;
    const room_state state = fold(records);
    EXPECT_FALSE(state.members[0].muted);
    EXPECT_EQ(state.last_speaker, 1);
}

TEST(RoomState, PromptAdditionsAccumulateOnePerLine) {
    const room_state state = fold(test::numbered(
        {join(1, "A"), command(1, "prompt", {"be brief"}), command(1, "prompt", {"use haiku"})}));
    EXPECT_EQ(state.members[0].prompt_additions, "be brief\nuse haiku");
}

TEST(RoomState, ExhaustedMemberTakesItsTurnAndIsMarked) {
    const room_state state =
        fold(test::numbered({join(1, "A"), test::of_type(core::record_type::member_exhausted, 1)}));
    EXPECT_TRUE(state.members[0].exhausted);
    EXPECT_EQ(state.last_speaker, 1);
}

TEST(RoomState, RoomEndedRecordEndsTheRoomWithItsReason) {
    const room_state state = fold(test::numbered(
        {join(1, "A"), test::of_type(core::record_type::room_ended, 0, "reached max_turns")}));
    EXPECT_TRUE(state.ended);
    EXPECT_EQ(state.end_reason, "reached max_turns");
}

core::record usage(core::record r, std::int64_t input, std::int64_t cached, std::int64_t written,
                   std::int64_t output) {
    r.input_tokens = input;
    r.cached_input_tokens = cached > 0 ? std::optional{cached} : std::nullopt;
    r.cache_write_tokens = written > 0 ? std::optional{written} : std::nullopt;
    r.output_tokens = output;
    return r;
}

TEST(RoomState, CachedAndWrittenTokensAreTotalledFromRepliesAndSelectorAnswers) {
    auto selector =
        usage(test::of_type(core::record_type::next_speaker, 2, "chose AI-2"), 300, 200, 0, 5);
    const room_state state = fold(test::numbered(
        {join(1, "A"), join(2, "B"), usage(message("AI-1", "hi", "A"), 1'000, 0, 900, 40), selector,
         usage(message("AI-2", "yo", "B"), 2'000, 1'500, 100, 60),
         usage(message("AI-1", "again", "A"), 1'100, 900, 0, 30)}));
    EXPECT_EQ(state.input_tokens, 4'400);
    EXPECT_EQ(state.cached_input_tokens, 2'600);
    EXPECT_EQ(state.cache_write_tokens, 1'000);
    EXPECT_EQ(state.output_tokens, 135);
}

TEST(RoomState, AForkCountsCachedAndWrittenTokensFromItself) {
    auto forked = test::of_type(core::record_type::forked, 0, "forked");
    forked.origin = "origin";
    forked.origin_seq = 2;
    forked.lineage = "origin";
    const room_state state =
        fold(test::numbered({join(1, "A"), usage(message("AI-1", "hi", "A"), 1'000, 600, 300, 40),
                             forked, usage(message("AI-1", "on", "A"), 1'200, 800, 50, 20)}));
    EXPECT_EQ(state.input_tokens, 1'200);
    EXPECT_EQ(state.cached_input_tokens, 800);
    EXPECT_EQ(state.cache_write_tokens, 50);
}

}  // namespace
}  // namespace polylogue::room
