// The room key invitee_history (docs/config.md).

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

result<config, refusal> parse_room(std::string_view room_lines) {
    const std::string text =
        std::string{
            "providers:\n"
            "  api: { kind: openai, base_url: \"https://api.example/v1\" }\n"
            "models:\n"
            "  - { name: Gemini 3 Pro, provider: api, id: gemini-3-pro }\n"
            "rooms:\n"
            "  - name: lab\n"
            "    members: [Gemini 3 Pro]\n"} +
        std::string{room_lines};
    return parse_config(text, "/nonexistent/polylogue.yaml");
}

TEST(ConfigInviteeHistory, DefaultsToFull) {
    const auto loaded = parse_room("");
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->rooms.front().invitee_history, invitee_history::full);
}

TEST(ConfigInviteeHistory, ReadsFullAndSinceJoin) {
    const auto full = parse_room("    invitee_history: full\n");
    ASSERT_TRUE(full.has_value());
    EXPECT_EQ(full->rooms.front().invitee_history, invitee_history::full);
    const auto since_join = parse_room("    invitee_history: since_join\n");
    ASSERT_TRUE(since_join.has_value());
    EXPECT_EQ(since_join->rooms.front().invitee_history, invitee_history::since_join);
}

TEST(ConfigInviteeHistory, AnyOtherValueIsRefusedAtItsPosition) {
    for (const std::string_view value : {"recent", "Since_Join", "[full]", "1"}) {
        const auto loaded = parse_room("    invitee_history: " + std::string{value} + "\n");
        ASSERT_FALSE(loaded.has_value()) << value;
        const refusal refused = loaded.error();  // a copy: never bind a reference into it
        ASSERT_EQ(refused.problems.size(), 1u) << value;
        const diagnostic& problem = refused.problems.front();
        EXPECT_EQ(problem.line, 8) << problem.message;
        EXPECT_EQ(problem.column, 22) << problem.message;
        EXPECT_NE(problem.message.find("invitee_history"), std::string::npos) << problem.message;
    }
}

}  // namespace
}  // namespace polylogue::config
