#include <gtest/gtest.h>

#include "polylogue/room/turn_decision.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using kind = turn_decision::kind;

room_state members(int count) {
    std::vector<core::record> records;
    for (int slot = 1; slot <= count; ++slot) {
        records.push_back(test::join(slot, "M" + std::to_string(slot)));
    }
    return fold(test::numbered(records));
}

TEST(TurnDecision, FirstTurnGoesToAi1) {
    const auto next = next_turn(members(2), 10);
    EXPECT_EQ(next.what, kind::speak);
    EXPECT_EQ(next.slot, 1);
}

TEST(TurnDecision, RoundRobinWrapsAfterTheLastSlot) {
    room_state state = members(3);
    state.last_speaker = 3;
    EXPECT_EQ(next_turn(state, 10).slot, 1);
    state.last_speaker = 1;
    EXPECT_EQ(next_turn(state, 10).slot, 2);
}

TEST(TurnDecision, NewcomerSpeaksInTheCurrentRoundAfterTheMembersAlreadyThere) {
    room_state state = members(2);
    state.last_speaker = 1;
    member_state newcomer;
    newcomer.slot = 3;
    newcomer.model = "New";
    state.members.push_back(newcomer);
    EXPECT_EQ(next_turn(state, 10).slot, 2);
    state.last_speaker = 2;
    EXPECT_EQ(next_turn(state, 10).slot, 3);
}

TEST(TurnDecision, MutedMemberIsSkipped) {
    room_state state = members(2);
    state.members[0].muted = true;
    const auto next = next_turn(state, 10);
    EXPECT_EQ(next.what, kind::skip);
    EXPECT_EQ(next.slot, 1);
}

TEST(TurnDecision, ExhaustedMemberIsPassedOver) {
    room_state state = members(3);
    state.members[1].exhausted = true;
    state.last_speaker = 1;
    EXPECT_EQ(next_turn(state, 10).slot, 3);
}

TEST(TurnDecision, RoomEndsAtMaxTurns) {
    room_state state = members(2);
    state.ai_turns = 10;
    const auto next = next_turn(state, 10);
    EXPECT_EQ(next.what, kind::end);
    EXPECT_EQ(next.reason, "reached max_turns (10 AI turns)");
}

TEST(TurnDecision, RoomEndsWhenEveryScriptIsExhausted) {
    room_state state = members(2);
    state.members[0].exhausted = state.members[1].exhausted = true;
    const auto next = next_turn(state, 10);
    EXPECT_EQ(next.what, kind::end);
    EXPECT_NE(next.reason.find("run out of replies"), std::string::npos);
}

TEST(TurnDecision, RoomEndsWhenEveryRemainingMemberIsMuted) {
    room_state state = members(2);
    state.members[0].muted = true;
    state.members[1].exhausted = true;
    const auto next = next_turn(state, 10);
    EXPECT_EQ(next.what, kind::end);
    EXPECT_NE(next.reason.find("muted"), std::string::npos);
}

TEST(TurnDecision, RoomWithoutMembersEnds) {
    EXPECT_EQ(next_turn(room_state{}, 10).what, kind::end);
}

}  // namespace
}  // namespace polylogue::room
