// The fleet node's pure decisions: fair shares, which free rooms to claim, what to give back.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "app/fleet_plan.hpp"

namespace polylogue::app {
namespace {

transcript::room_owner held_by(std::string room, std::string node) {
    return {std::move(room), std::move(node), "127.0.0.1:1", 1, true};
}

fleet_view six_rooms(std::string node, int live) {
    return {std::move(node), {"a", "b", "c", "d", "e", "f"}, {}, live};
}

TEST(FairShare, IsTheRoomsPerLiveNodeRoundedUp) {
    EXPECT_EQ(fair_share(6, 1), 6U);
    EXPECT_EQ(fair_share(6, 2), 3U);
    EXPECT_EQ(fair_share(7, 2), 4U);
    EXPECT_EQ(fair_share(6, 4), 2U);
    EXPECT_EQ(fair_share(0, 3), 0U);
    EXPECT_EQ(fair_share(5, 0), 5U);  // a node that cannot count the others counts itself
}

TEST(RoomsToClaim, ANodeAloneClaimsEveryFreeRoom) {
    const auto wanted = rooms_to_claim(six_rooms("n1", 1), 0);
    EXPECT_EQ(wanted.size(), 6U);
}

TEST(RoomsToClaim, ALiveLeaseOfAnotherNodeIsNeverClaimed) {
    auto view = six_rooms("n2", 2);
    view.owners = {held_by("a", "n1"), held_by("b", "n1"), held_by("c", "n1")};
    const auto wanted = rooms_to_claim(view, 0);
    ASSERT_EQ(wanted.size(), 3U);
    for (const auto& room : wanted) {
        EXPECT_TRUE(room == "d" || room == "e" || room == "f") << room;
    }
}

TEST(RoomsToClaim, AnExpiredLeaseIsFree) {
    auto view = six_rooms("n2", 2);
    view.owners = {held_by("a", "n1")};
    view.owners[0].held = false;
    const auto wanted = rooms_to_claim(view, 0);
    EXPECT_NE(std::find(wanted.begin(), wanted.end(), "a"), wanted.end());
}

TEST(RoomsToClaim, ANodeAtItsShareClaimsNothing) {
    EXPECT_TRUE(rooms_to_claim(six_rooms("n1", 2), 3).empty());
    EXPECT_EQ(rooms_to_claim(six_rooms("n1", 2), 2).size(), 1U);
}

TEST(RoomsToClaim, NodesStartTheirSearchAtDifferentRooms) {
    std::set<std::string> firsts;
    for (const std::string node : {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"}) {
        firsts.insert(rooms_to_claim(six_rooms(node, 6), 0).front());
    }
    EXPECT_GT(firsts.size(), 1U);
}

TEST(RoomToGiveBack, NoneAtOrBelowTheShare) {
    EXPECT_FALSE(room_to_give_back(six_rooms("n1", 2), {"a", "b", "c"}));
    EXPECT_FALSE(room_to_give_back(six_rooms("n1", 3), {}));
}

TEST(RoomToGiveBack, TheNewestRoomGoesFirstWhenANodeJoined) {
    // Two nodes held three rooms each; a third joined: each gives one back.
    const auto room = room_to_give_back(six_rooms("n1", 3), {"a", "b", "c"});
    ASSERT_TRUE(room);
    EXPECT_EQ(*room, "c");
}

}  // namespace
}  // namespace polylogue::app
