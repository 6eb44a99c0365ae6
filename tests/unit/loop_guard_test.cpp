#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "room/loop_similarity.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using test::message;
using test::numbered;

config::loop_guard guard_of(int window, double similarity) {
    return config::loop_guard{window, similarity, config::loop_action::pause};
}

TEST(LoopSimilarity, IdenticalTextsAreFullySimilarWhateverTheCaseAndPunctuation) {
    EXPECT_DOUBLE_EQ(similarity("We should talk about the weather today.",
                                "we SHOULD talk -- about the weather, today!"),
                     1.0);
}

TEST(LoopSimilarity, UnrelatedTextsShareNothing) {
    EXPECT_DOUBLE_EQ(similarity("the quick brown fox jumps", "a lazy dog sleeps soundly"), 0.0);
}

TEST(LoopSimilarity, WordOrderMattersForShingles) {
    EXPECT_LT(similarity("one two three four five", "five four three two one"), 0.01);
}

TEST(LoopSimilarity, OneChangedWordInTwentyKeepsMostShingles) {
    std::string a;
    std::string b;
    for (int i = 0; i < 20; ++i) {
        a += "word" + std::to_string(i) + " ";
        b += (i == 10 ? std::string{"changed"} : "word" + std::to_string(i)) + " ";
    }
    const double s = similarity(a, b);
    EXPECT_GT(s, 0.7);
    EXPECT_LT(s, 1.0);
}

TEST(LoopSimilarity, TextsOfFewerThanThreeWordsCompareTheirWords) {
    EXPECT_DOUBLE_EQ(similarity("Agreed.", "agreed!"), 1.0);
    EXPECT_DOUBLE_EQ(similarity("Yes indeed", "indeed"), 0.5);
    EXPECT_DOUBLE_EQ(similarity("", ""), 1.0);
}

TEST(LoopSimilarity, OnlyTheFirstEightKibCount) {
    const std::string head(loop_text_bytes, 'x');
    EXPECT_DOUBLE_EQ(similarity(head + " alpha beta gamma", head + " delta epsilon zeta"), 1.0);
}

TEST(LoopSimilarity, NonAsciiLettersMakeWords) {
    EXPECT_DOUBLE_EQ(similarity("très bien dit là", "très bien dit là"), 1.0);
    EXPECT_LT(similarity("très bien dit là", "pas du tout ça"), 0.01);
}

TEST(LoopGuard, FiresWhenEachOfTheLastWindowMessagesRepeatsAnEarlierOne) {
    const auto history = numbered({message("AI-1", "I think we agree on the plan", "Ada"),
                                   message("AI-2", "Yes the plan is good for all", "Babbage"),
                                   message("AI-1", "I think we agree on the plan", "Ada"),
                                   message("AI-2", "Yes the plan is good for all", "Babbage")});
    const auto found = find_loop(history, 0, guard_of(2, 0.9));
    ASSERT_TRUE(found.has_value());
    EXPECT_DOUBLE_EQ(found->similarity, 1.0);
    EXPECT_EQ(found->messages, 2);
}

TEST(LoopGuard, DoesNotFireWhenOneOfTheWindowIsNew) {
    const auto history = numbered({message("AI-1", "I think we agree on the plan", "Ada"),
                                   message("AI-2", "Yes the plan is good for all", "Babbage"),
                                   message("AI-1", "I think we agree on the plan", "Ada"),
                                   message("AI-2", "What about a completely different idea", "B")});
    EXPECT_FALSE(find_loop(history, 0, guard_of(2, 0.9)).has_value());
}

TEST(LoopGuard, NeedsMoreThanWindowMessages) {
    const auto history = numbered({message("AI-1", "same words again here", "Ada"),
                                   message("AI-2", "same words again here")});
    EXPECT_FALSE(find_loop(history, 0, guard_of(2, 0.5)).has_value());
    auto longer = history;
    longer.push_back(message("AI-1", "same words again here"));
    longer.back().seq = 3;
    EXPECT_TRUE(find_loop(longer, 0, guard_of(2, 0.5)).has_value());
}

TEST(LoopGuard, IgnoresHumanMessagesAndOtherRecords) {
    auto history = numbered({message("AI-1", "round and round we go"),
                             message("Alice", "something else entirely, said by a human"),
                             test::of_type(core::record_type::skip, 2, "AI-2 sits out"),
                             message("AI-2", "round and round we go"),
                             message("AI-1", "round and round we go")});
    EXPECT_TRUE(find_loop(history, 0, guard_of(2, 0.9)).has_value());
}

TEST(LoopGuard, LooksOnlyAfterItsLastFinding) {
    const auto history = numbered(
        {message("AI-1", "round and round we go"), message("AI-2", "round and round we go"),
         message("AI-1", "round and round we go"), message("AI-2", "round and round we go")});
    EXPECT_TRUE(find_loop(history, 1, guard_of(2, 0.9)).has_value());
    EXPECT_FALSE(find_loop(history, 2, guard_of(2, 0.9)).has_value());
}

TEST(LoopGuard, ReportsTheLowestOfTheBestSimilarities) {
    const auto history = numbered({message("AI-1", "alpha beta gamma delta epsilon"),
                                   message("AI-2", "alpha beta gamma delta epsilon"),
                                   message("AI-1", "alpha beta gamma delta zeta")});
    // The last message shares 2 of 4 distinct shingles with the others: 2 / 4.
    const auto found = find_loop(history, 0, guard_of(2, 0.4));
    ASSERT_TRUE(found.has_value());
    EXPECT_DOUBLE_EQ(found->similarity, 0.5);
    EXPECT_FALSE(find_loop(history, 0, guard_of(2, 0.6)).has_value());
}

TEST(LoopGuard, ComparesEachMessageOnlyWithTheWindowBeforeIt) {
    // The repeat of message 1 comes 4 messages later: beyond a window of 2.
    const auto history = numbered({message("AI-1", "the very first thing said here"),
                                   message("AI-2", "another thought entirely different"),
                                   message("AI-1", "yet one more unrelated remark now"),
                                   message("AI-2", "something new to add to that"),
                                   message("AI-1", "the very first thing said here")});
    EXPECT_FALSE(find_loop(history, 0, guard_of(2, 0.9)).has_value());
}

}  // namespace
}  // namespace polylogue::room
