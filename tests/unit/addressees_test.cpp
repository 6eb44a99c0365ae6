#include <gtest/gtest.h>

#include <string>

#include "room/addressees.hpp"

namespace polylogue::room {
namespace {

const std::vector<addressable> room_of_three{{1, "Claude Opus 4.5"}, {2, "GPT-5"}, {3, "Grok 4"}};

std::vector<int> slots(std::vector<int> s) {
    return s;
}

TEST(Addressees, LabelsWithAndWithoutAtInOrderOfFirstAppearance) {
    EXPECT_EQ(addressees("@AI-3 and AI-1, what do you think? AI-3 again.", room_of_three),
              slots({3, 1}));
}

TEST(Addressees, ALabelIsAWholeToken) {
    EXPECT_EQ(addressees("AI-30 and XAI-3 and AI-3x are nobody here", room_of_three), slots({}));
    EXPECT_EQ(addressees("(AI-2): over to you", room_of_three), slots({2}));
}

TEST(Addressees, AbsentSlotsAreIgnored) {
    EXPECT_EQ(addressees("AI-4, AI-2", room_of_three), slots({2}));
}

TEST(Addressees, DisplayNamesInAnyCaseAsWholeWords) {
    EXPECT_EQ(addressees("I agree with grok 4 but claude opus 4.5 is right", room_of_three),
              slots({3, 1}));
    EXPECT_EQ(addressees("GPT-55 and Grok 42 are not here", room_of_three), slots({}));
}

TEST(Addressees, CodeSpansAndFencesDoNotAddress) {
    EXPECT_EQ(addressees("See `AI-1` and\n```\nAI-2 GPT-5\n```\nthen Grok 4", room_of_three),
              slots({3}));
    EXPECT_EQ(addressees("an unclosed fence ```AI-1", room_of_three), slots({}));
    EXPECT_EQ(addressees("a lone ` backtick, AI-2", room_of_three), slots({2}));
}

TEST(Addressees, TheLongestNameWins) {
    const std::vector<addressable> members{{1, "GPT-5"}, {2, "GPT-5 mini"}};
    EXPECT_EQ(addressees("gpt-5 mini, then GPT-5", members), slots({2, 1}));
}

TEST(Addressees, ANameTwoMembersShareAddressesBoth) {
    const std::vector<addressable> members{{1, "Grok 4"}, {2, "GPT-5"}, {3, "Grok 4"}};
    EXPECT_EQ(addressees("Grok 4?", members), slots({1, 3}));
}

TEST(Addressees, OnlyTheFirstBytesAreRead) {
    std::string text(max_scanned_bytes, ' ');
    text += "AI-1";
    EXPECT_EQ(addressees(text, room_of_three), slots({}));
    EXPECT_EQ(addressees(text.substr(10), room_of_three), slots({1}));
}

TEST(Addressees, ManyBackticksStayCheap) {
    std::string text(max_scanned_bytes, '`');
    text += " AI-1";
    EXPECT_EQ(addressees(text, room_of_three), slots({}));
}

}  // namespace
}  // namespace polylogue::room
