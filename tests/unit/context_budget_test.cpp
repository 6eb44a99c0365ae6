// Rendering within a model's context: what is kept, what is left out, and that the work done
// follows the budget rather than the length of the room.

#include <gtest/gtest.h>

#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

std::vector<core::record> long_room(std::size_t messages) {
    std::vector<core::record> records{test::join(1, "Gemini 3 Pro"),
                                      test::join(2, "Grok 4", "AI-1"),
                                      test::message("janus", "the opening question")};
    for (std::size_t i = 0; i < messages; ++i) {
        const bool first = i % 2 == 0;
        records.push_back(
            test::message(first ? "AI-1" : "AI-2",
                          "reply number " + std::to_string(i) + " " + std::string(200, 'x'),
                          first ? "Gemini 3 Pro" : "Grok 4"));
    }
    return test::numbered(std::move(records));
}

config::room lab() {
    config::room r;
    r.name = "lab";
    r.system_prompt = "You are {slot} in {room}.";
    return r;
}

TEST(ContextBudget, EstimateIsBytesOverFourRoundedUpPlusFraming) {
    EXPECT_EQ(estimate_tokens(""), 4u);
    EXPECT_EQ(estimate_tokens("abcd"), 5u);
    EXPECT_EQ(estimate_tokens("abcde"), 6u);
}

TEST(ContextBudget, EverythingFitsWhenTheBudgetAllowsAndNothingIsDropped) {
    const auto records = long_room(10);
    const auto state = fold(records);
    const auto view = render_within(lab(), state, records, 1, 100'000);
    EXPECT_EQ(view.dropped, 0u);
    EXPECT_EQ(view.conversation.turns.size(), records.size());
    EXPECT_EQ(view.conversation.turns.size(), render(lab(), state, records, 1).turns.size());
}

TEST(ContextBudget, KeepsTheSystemPromptTheOpeningAndTheNewestRecordsThatFit) {
    const auto records = long_room(1000);
    const auto state = fold(records);
    const std::size_t budget = 2'000;
    const auto view = render_within(lab(), state, records, 1, budget);
    ASSERT_GT(view.dropped, 900u);
    EXPECT_LE(view.estimated_tokens, budget);
    EXPECT_EQ(view.conversation.system.plain(), "You are AI-1 in lab.");
    ASSERT_GE(view.conversation.turns.size(), 3u);
    EXPECT_EQ(view.conversation.turns.front().text.plain(), "[janus]: the opening question");
    EXPECT_NE(view.conversation.turns.back().text.plain().find("reply number 999"),
              std::string::npos);
    EXPECT_NE(view.conversation.turns[1].text.plain().find(
                  "reply number " + std::to_string(1000 - view.conversation.turns.size() + 1)),
              std::string::npos)
        << "the kept records are the newest, contiguous, in order";
    EXPECT_EQ(view.dropped + view.conversation.turns.size(), records.size());
}

TEST(ContextBudget, OperatorRecordsAreNeverShownToTheModels) {
    auto records = long_room(2);
    core::record paused;
    paused.type = core::record_type::paused;
    paused.text = "The room was paused by the control API";
    core::record trimmed;
    trimmed.type = core::record_type::context_trimmed;
    trimmed.speaker = "AI-1";
    trimmed.text = "AI-1 no longer sees the whole room";
    trimmed.from_seq = 4;
    records.push_back(paused);
    records.push_back(trimmed);
    records = test::numbered(std::move(records));
    const auto state = fold(records);
    for (const auto& turn : render(lab(), state, records, 2).turns) {
        EXPECT_EQ(turn.text.plain().find("paused"), std::string::npos);
        EXPECT_EQ(turn.text.plain().find("no longer sees"), std::string::npos);
    }
    EXPECT_EQ(state.member(1)->window_from_seq, 4) << "the fold reads the trim record";
}

TEST(ContextBudget, ALongRoomRendersAsItsNewestPartWouldOnceTrimmed) {
    // Whatever came before the window cannot change the request: 20,000 records render exactly
    // as the last few hundred do (how fast is the benchmark's business, bench/).
    const auto huge_room = long_room(20'000);
    const auto state = fold(huge_room);
    const std::size_t budget = 8'000;
    const auto whole = render_within(lab(), state, huge_room, 2, budget);
    std::vector<core::record> tail(huge_room.begin(), huge_room.begin() + 3);
    tail.insert(tail.end(), huge_room.end() - 400, huge_room.end());
    const auto part = render_within(lab(), state, tail, 2, budget);
    ASSERT_EQ(whole.conversation.turns.size(), part.conversation.turns.size());
    for (std::size_t i = 0; i < whole.conversation.turns.size(); ++i) {
        EXPECT_EQ(whole.conversation.turns[i].text.plain(),
                  part.conversation.turns[i].text.plain());
        EXPECT_EQ(whole.conversation.turns[i].role, part.conversation.turns[i].role);
    }
    EXPECT_EQ(whole.estimated_tokens, part.estimated_tokens);
}

}  // namespace
}  // namespace polylogue::room
