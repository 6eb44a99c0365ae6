// Who takes part in a round of turn_order parallel.

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "room/parallel_round.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using namespace std::chrono_literals;

std::vector<int> slots(const std::vector<round_seat>& seats) {
    std::vector<int> out;
    out.reserve(seats.size());
    for (const round_seat& seat : seats) {
        out.push_back(seat.skip ? -seat.slot : seat.slot);  // a skip as its negative slot
    }
    return out;
}

room_state three_members() {
    return fold(test::numbered({test::join(1, "A"), test::join(2, "B"), test::join(3, "C")}));
}

TEST(ParallelRound, EveryMemberSpeaksInSlotOrder) {
    EXPECT_EQ(slots(parallel_round(three_members(), 10, {})), (std::vector<int>{1, 2, 3}));
}

TEST(ParallelRound, AfterAWholeRoundTheNextStartsAtTheFirstSlot) {
    room_state state = three_members();
    state.last_speaker = 3;
    EXPECT_EQ(slots(parallel_round(state, 10, {})), (std::vector<int>{1, 2, 3}));
}

TEST(ParallelRound, MaxTurnsTakesTheFirstMembersAfterTheLastSpeaker) {
    room_state state = three_members();
    EXPECT_EQ(slots(parallel_round(state, 2, {})), (std::vector<int>{1, 2}));
    state.last_speaker = 2;
    EXPECT_EQ(slots(parallel_round(state, 2, {})), (std::vector<int>{3, 1}));
}

TEST(ParallelRound, MutedMembersSitOutWithoutTakingATurn) {
    room_state state = three_members();
    state.member(1)->muted = true;
    EXPECT_EQ(slots(parallel_round(state, 2, {})), (std::vector<int>{-1, 2, 3}));
}

TEST(ParallelRound, ExhaustedLeftAndSuspendedMembersAreOutUntilTheirRetryIsDue) {
    room_state state = three_members();
    state.member(1)->exhausted = true;
    state.member(2)->suspended = true;
    const auto now = std::chrono::system_clock::now();
    state.member(2)->retry_at = now + 1s;
    EXPECT_EQ(slots(parallel_round(state, 10, now)), (std::vector<int>{3}));
    EXPECT_EQ(slots(parallel_round(state, 10, now + 2s)), (std::vector<int>{2, 3}));
    state.member(3)->left = true;
    EXPECT_EQ(slots(parallel_round(state, 10, now + 2s)), (std::vector<int>{2}));
}

TEST(ParallelRound, NoTurnsLeftMeansNoRound) {
    EXPECT_TRUE(parallel_round(three_members(), 0, {}).empty());
}

}  // namespace
}  // namespace polylogue::room
