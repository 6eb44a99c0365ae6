#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "polylogue/room/turn_decision.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using kind = turn_decision::kind;
using order = config::turn_order;

config::room room_with(order turn_order) {
    config::room room;
    room.name = "salon";
    room.turn_order = turn_order;
    room.max_turns = 1000;
    return room;
}

std::vector<core::record> joined(int count) {
    std::vector<core::record> records;
    for (int slot = 1; slot <= count; ++slot) {
        records.push_back(test::join(slot, "M" + std::to_string(slot)));
    }
    return records;
}

core::record ai_says(int slot, std::string text) {
    return test::message(core::slot_label(slot), std::move(text), "M" + std::to_string(slot));
}

turn_decision decide(const config::room& room, std::vector<core::record> records) {
    const auto numbered = test::numbered(std::move(records));
    return next_turn(fold(numbered), room, numbered, {});
}

// Takes turns as the room would, each speaker saying text; returns who spoke, in order.
std::vector<int> play(const config::room& room, std::vector<core::record>& records, int turns,
                      const std::string& text = "Interesting.") {
    std::vector<int> speakers;
    for (int turn = 0; turn < turns; ++turn) {
        const auto next = decide(room, records);
        EXPECT_EQ(next.what, kind::speak);
        speakers.push_back(next.slot);
        records.push_back(ai_says(next.slot, text));
    }
    return speakers;
}

TEST(NaturalOrder, TheAddressedAiSpeaksNext) {
    auto records = joined(3);
    records.push_back(ai_says(1, "What do you say, @AI-3?"));
    EXPECT_EQ(decide(room_with(order::natural), records).slot, 3);
}

TEST(NaturalOrder, AHumanCanAddressAnAiByItsModelName) {
    auto records = joined(3);
    records.push_back(ai_says(1, "Hello."));
    records.push_back(test::message("Ada", "m2, your turn"));
    EXPECT_EQ(decide(room_with(order::natural), records).slot, 2);
}

TEST(NaturalOrder, TheAuthorOfTheAddressIsPassedOver) {
    auto records = joined(3);
    records.push_back(ai_says(1, "I am AI-1 and I ask AI-2"));
    EXPECT_EQ(decide(room_with(order::natural), records).slot, 2);
}

TEST(NaturalOrder, AnAddressedAiThatCannotSpeakIsPassedOver) {
    auto records = joined(3);
    records.push_back(test::of_type(core::record_type::member_exhausted, 3));
    records.push_back(ai_says(1, "AI-3, then AI-2"));
    EXPECT_EQ(decide(room_with(order::natural), records).slot, 2);
}

TEST(NaturalOrder, TheDrawNeverPicksTheLastSpeaker) {
    const auto room = room_with(order::natural);
    auto records = joined(3);
    std::set<int> drawn;
    for (int turn = 0; turn < 60; ++turn) {
        const auto next = decide(room, records);
        ASSERT_EQ(next.what, kind::speak);
        if (turn > 0) {
            EXPECT_NE(next.slot, core::slot_from_label(records.back().speaker));
        }
        drawn.insert(next.slot);
        records.push_back(ai_says(next.slot, "No names here."));
    }
    EXPECT_EQ(drawn, (std::set<int>{1, 2, 3}));
}

TEST(NaturalOrder, ASilentMemberIsNeverDrawnButSpeaksWhenAddressed) {
    auto room = room_with(order::natural);
    room.talkativeness = {{"M2", 0.0}};
    auto records = joined(3);
    const auto speakers = play(room, records, 40);
    EXPECT_EQ(std::count(speakers.begin(), speakers.end(), 2), 0);
    records.push_back(ai_says(1, "M2, you have been quiet"));
    EXPECT_EQ(decide(room, records).slot, 2);
}

TEST(NaturalOrder, AllSilentMembersAreDrawnAlike) {
    auto room = room_with(order::natural);
    room.talkativeness = {{"M1", 0.0}, {"M2", 0.0}, {"M3", 0.0}};
    auto records = joined(3);
    const auto speakers = play(room, records, 30);
    for (const int slot : {1, 2, 3}) {
        EXPECT_GT(std::count(speakers.begin(), speakers.end(), slot), 3) << slot;
    }
}

TEST(NaturalOrder, TheLastSpeakerSpeaksAgainWhenNobodyElseCan) {
    auto records = joined(2);
    records.push_back(test::of_type(core::record_type::member_exhausted, 2));
    records.push_back(ai_says(1, "Alone."));
    EXPECT_EQ(decide(room_with(order::natural), records).slot, 1);
}

TEST(NaturalOrder, AMutedMemberChosenSitsOut) {
    auto records = joined(2);
    records.push_back(ai_says(1, "AI-2?"));
    records.push_back(test::command(2, "mute_self", {}));
    const auto next = decide(room_with(order::natural), records);
    EXPECT_EQ(next.what, kind::skip);
    EXPECT_EQ(next.slot, 2);
}

TEST(NaturalOrder, AnAddressIsAnsweredOnceEvenWhenTheAddressedSatOut) {
    auto records = joined(3);
    records.push_back(test::command(2, "mute_self", {}));
    records.push_back(ai_says(1, "AI-2, you there?"));
    records.push_back(test::of_type(core::record_type::skip, 2));
    const auto next = decide(room_with(order::natural), records);
    EXPECT_EQ(next.what, kind::speak);
    EXPECT_NE(next.slot, 2);  // drawn again, and the skip made AI-2 the last speaker
}

TEST(RandomOrder, EveryMemberSpeaksOncePerRound) {
    const auto room = room_with(order::random);
    auto records = joined(4);
    const auto speakers = play(room, records, 40);
    std::set<std::vector<int>> orders;
    for (std::size_t round = 0; round < 10; ++round) {
        std::vector<int> taken(speakers.begin() + static_cast<long>(round * 4),
                               speakers.begin() + static_cast<long>(round * 4 + 4));
        orders.insert(taken);
        std::sort(taken.begin(), taken.end());
        EXPECT_EQ(taken, (std::vector<int>{1, 2, 3, 4})) << "round " << round;
    }
    EXPECT_GT(orders.size(), 3U);  // freshly drawn each round
}

TEST(RandomOrder, TheSameRoomDrawsTheSameOrder) {
    const auto room = room_with(order::random);
    auto first = joined(4);
    auto second = joined(4);
    EXPECT_EQ(play(room, first, 20), play(room, second, 20));
    auto other = room;
    other.name = "another room";
    auto third = joined(4);
    auto fourth = joined(4);
    EXPECT_NE(play(room, third, 20), play(other, fourth, 20));
}

TEST(RequestedNext, WinsOverEveryOrder) {
    for (const order o : {order::round_robin, order::natural, order::random, order::selector}) {
        auto records = joined(3);
        records.push_back(ai_says(1, "AI-3, go on"));
        records.push_back(test::of_type(core::record_type::next_speaker, 2));
        EXPECT_EQ(decide(room_with(o), records).slot, 2) << config::to_string(o);
    }
}

TEST(RequestedNext, AppliesToOneTurnOnly) {
    const auto room = room_with(order::round_robin);
    auto records = joined(3);
    records.push_back(ai_says(1, "Hi"));
    records.push_back(test::of_type(core::record_type::next_speaker, 3));
    EXPECT_EQ(decide(room, records).slot, 3);
    records.push_back(ai_says(3, "Hi"));
    EXPECT_EQ(decide(room, records).slot, 1);
}

TEST(RequestedNext, AMemberThatCannotSpeakLeavesTheChoiceToTheOrder) {
    auto records = joined(3);
    records.push_back(ai_says(1, "Hi"));
    records.push_back(test::of_type(core::record_type::next_speaker, 3));
    records.push_back(test::of_type(core::record_type::member_suspended, 3));  // no retry
    EXPECT_EQ(decide(room_with(order::round_robin), records).slot, 2);
}

TEST(NextSpeakerRecord, ASelectorsCostAndTokensCountInTheRoomsSpending) {
    auto records = joined(2);
    core::record chosen = test::of_type(core::record_type::next_speaker, 2);
    chosen.chosen_by = "selector";
    chosen.input_tokens = 1000;
    chosen.output_tokens = 10;
    chosen.cost_usd = 0.0101;
    records.push_back(chosen);
    const room_state state = fold(test::numbered(records));
    EXPECT_EQ(state.requested_next, 2);
    EXPECT_DOUBLE_EQ(state.cost_usd, 0.0101);
    EXPECT_EQ(state.input_tokens, 1000);
    EXPECT_EQ(state.output_tokens, 10);
    EXPECT_EQ(state.ai_turns, 0);  // it is not a turn
}

// A room resumed from its records makes the choices it would have made without the restart.
TEST(TurnReplay, RefoldedRecordsChooseAsTheRunningRoomDid) {
    for (const order o : {order::natural, order::random}) {
        const auto room = room_with(o);
        auto records = joined(3);
        room_state running = fold(test::numbered(records));
        std::vector<core::record> history = test::numbered(records);
        for (int turn = 0; turn < 30; ++turn) {
            const auto live = next_turn(running, room, history, {});
            const auto replayed = next_turn(fold(history), room, history, {});
            ASSERT_EQ(live.slot, replayed.slot) << config::to_string(o) << " turn " << turn;
            core::record said = ai_says(live.slot, turn % 5 == 0 ? "AI-1?" : "Hm.");
            said.seq = running.last_seq + 1;
            apply(running, said);
            history.push_back(said);
        }
    }
}

}  // namespace
}  // namespace polylogue::room
