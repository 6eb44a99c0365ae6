#include <gtest/gtest.h>

#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using providers::turn_role;

class Renderer : public ::testing::Test {
  protected:
    config::room room = [] {
        config::room r;
        r.name = "lab";
        r.system_prompt = "You are {slot} ({model}) in {room} with {members}; max {max_ais}. {{x}}";
        return r;
    }();
    std::vector<core::record> records = test::numbered({
        test::join(1, "Gemini 3 Pro"),
        test::join(2, "Grok 4", "AI-1"),
        test::message("janus", "hello models"),
        test::message("AI-1", "hi janus", "Gemini 3 Pro"),
        test::message("AI-2", "[AI-1 (Gemini 3 Pro)]: I am quoting gemini", "Grok 4"),
        test::command(2, "image", {"a cat"}, core::command_status::unavailable),
    });
    room_state state = [this] {
        records[1].invite = "come join";
        return fold(records);
    }();
};

TEST_F(Renderer, SystemPromptFillsPlaceholdersAndKeepsEscapedBraces) {
    EXPECT_EQ(render_system_prompt(room, state, 1),
              "You are AI-1 (Gemini 3 Pro) in lab with AI-1 (Gemini 3 Pro), AI-2 (Grok 4); max 5. "
              "{x}");
}

TEST_F(Renderer, SystemPromptKeepsTheInviteMessage) {
    EXPECT_NE(render_system_prompt(room, state, 2)
                  .find("AI-1 invited you with this message: "
                        "\"come join\""),
              std::string::npos);
}

TEST_F(Renderer, OwnMessagesAreAssistantTurns) {
    const auto conversation = render(room, state, records, 1);
    ASSERT_EQ(conversation.turns.size(), 6u);
    EXPECT_EQ(conversation.turns[3].role, turn_role::assistant);
    EXPECT_EQ(conversation.turns[3].text.plain(), "hi janus");
}

TEST_F(Renderer, OthersAreUserTurnsPrefixedBySlotAndModelOrHumanName) {
    const auto conversation = render(room, state, records, 2);
    EXPECT_EQ(conversation.turns[2].text.plain(), "[janus]: hello models");
    EXPECT_EQ(conversation.turns[3].role, turn_role::user);
    EXPECT_EQ(conversation.turns[3].text.plain(), "[AI-1 (Gemini 3 Pro)]: hi janus");
}

TEST_F(Renderer, QuotedHeaderInsideAReplyIsNeverReattributed) {
    const auto for_gemini = render(room, state, records, 1);
    EXPECT_EQ(for_gemini.turns[4].role, turn_role::user);
    EXPECT_EQ(for_gemini.turns[4].text.plain(),
              "[AI-2 (Grok 4)]: [AI-1 (Gemini 3 Pro)]: I am quoting gemini");
    const auto for_grok = render(room, state, records, 2);
    EXPECT_EQ(for_grok.turns[4].role, turn_role::assistant);
}

TEST_F(Renderer, CommandOutcomesAreOrchestratorNoticesEveryModelSees) {
    const auto conversation = render(room, state, records, 1);
    EXPECT_EQ(conversation.turns[5].role, turn_role::user);
    EXPECT_EQ(conversation.turns[5].text.plain(),
              "[Polylogue] AI-2 ran !image \"a cat\": unavailable.");
    EXPECT_EQ(conversation.turns[1].text.plain(),
              "[Polylogue] AI-2 (Grok 4) joined the room, invited by AI-1 with the message \"come "
              "join\".");
}

}  // namespace
}  // namespace polylogue::room
