// invitee_history (docs/config.md): what an AI invited by another sees of the room.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "polylogue/room/renderer.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

// The opening, a round of talk, then AI-2 invites Grok 4 (AI-3), who has not spoken yet.
class InviteeHistory : public ::testing::Test {
  protected:
    config::room room = [] {
        config::room r;
        r.name = "lab";
        r.system_prompt = "You are {slot}.";
        r.invitee_history = config::invitee_history::since_join;
        return r;
    }();
    std::vector<core::record> records = [] {
        auto list = test::numbered({
            test::join(1, "Gemini 3 Pro"),
            test::join(2, "Claude Opus 4.5"),
            test::message("janus", "hello models"),
            test::message("AI-1", "early words before the invite", "Gemini 3 Pro"),
            test::message("AI-2", "let us ask Grok !add_ai \"Grok 4\" \"join us\"",
                          "Claude Opus 4.5"),
            test::command(2, "add_ai", {"Grok 4", "join us"}),
            test::join(3, "Grok 4", "AI-2"),
            test::message("AI-1", "welcome, Grok", "Gemini 3 Pro"),
        });
        list[6].invite = "join us";
        return list;
    }();
    room_state state = fold(records);

    static std::vector<std::string> texts(const providers::conversation& conversation) {
        std::vector<std::string> out;
        for (const auto& turn : conversation.turns) {
            out.push_back(std::string{turn.text.plain()});
        }
        return out;
    }
};

TEST_F(InviteeHistory, SinceJoinShowsAnInviteeTheOpeningThenItsJoinOnward) {
    EXPECT_EQ(texts(render(room, state, records, 3)),
              (std::vector<std::string>{
                  "[janus]: hello models",
                  "[Polylogue] AI-3 (Grok 4) joined the room, invited by AI-2 with the message "
                  "\"join us\".",
                  "[AI-1 (Gemini 3 Pro)]: welcome, Grok",
              }));
}

TEST_F(InviteeHistory, SinceJoinKeepsTheInviteeSystemPromptAndInvite) {
    const auto conversation = render(room, state, records, 3);
    const std::string system{conversation.system.plain()};
    EXPECT_EQ(system.rfind("You are AI-3.", 0), 0u) << system;
    EXPECT_NE(system.find("\"join us\""), std::string::npos) << system;
}

TEST_F(InviteeHistory, SinceJoinLeavesMembersFromTheConfigTheWholeRoom) {
    EXPECT_EQ(render(room, state, records, 1).turns.size(), 8u);
    EXPECT_EQ(render(room, state, records, 2).turns.size(), 8u);
}

TEST_F(InviteeHistory, FullShowsAnInviteeTheWholeRoom) {
    room.invitee_history = config::invitee_history::full;
    const auto seen = texts(render(room, state, records, 3));
    ASSERT_EQ(seen.size(), 8u);
    EXPECT_EQ(seen[3], "[AI-1 (Gemini 3 Pro)]: early words before the invite");
}

TEST_F(InviteeHistory, RecordsBeforeTheJoinDoNotCountAsTrimmed) {
    const auto view = render_within(room, state, records, 3, 100000);
    EXPECT_EQ(view.dropped, 0u);
    EXPECT_EQ(view.conversation.turns.size(), 3u);
}

TEST_F(InviteeHistory, ABudgetTooSmallForTheJoinOnwardCountsOnlyWhatItLeftOut) {
    // Room for the system prompt, the opening and the newest record only: the join is dropped.
    const auto system_tokens = estimate_tokens(render_system_prompt(room, state, 3));
    const std::size_t budget = system_tokens + estimate_tokens("[janus]: hello models") +
                               estimate_tokens("[AI-1 (Gemini 3 Pro)]: welcome, Grok");
    const auto view = render_within(room, state, records, 3, budget);
    EXPECT_EQ(texts(view.conversation),
              (std::vector<std::string>{"[janus]: hello models",
                                        "[AI-1 (Gemini 3 Pro)]: welcome, Grok"}));
    EXPECT_EQ(view.dropped, 1u);
}

}  // namespace
}  // namespace polylogue::room
