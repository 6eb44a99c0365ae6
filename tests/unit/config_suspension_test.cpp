// A room's suspension key: when a suspended member is tried again (docs/config.md).

#include <gtest/gtest.h>

#include <string>

#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

using namespace std::chrono_literals;

result<config, refusal> with_room(const std::string& room_lines) {
    return parse_config(
        "providers:\n"
        "  api: { kind: openai, base_url: \"https://api.example/v1\" }\n"
        "models:\n"
        "  - { name: Gemini 3 Pro, provider: api, id: gemini-3-pro }\n"
        "rooms:\n"
        "  - name: lab\n"
        "    members: [Gemini 3 Pro]\n" +
            room_lines,
        "/etc/polylogue/polylogue.yaml");
}

std::string problems(const result<config, refusal>& outcome) {
    std::string text;
    for (const auto& p : outcome.error().problems) {
        text += p.to_string() + "\n";
    }
    return text;
}

TEST(ConfigSuspension, DefaultsAreOneMinuteDoublingToHalfAnHourTwentyTimes) {
    const auto loaded = with_room("");
    ASSERT_TRUE(loaded) << problems(loaded);
    const auto& s = loaded->rooms[0].suspension;
    EXPECT_EQ(s.cool_down, 1min);
    EXPECT_EQ(s.max_cool_down, 30min);
    EXPECT_EQ(s.retries, 20);
}

TEST(ConfigSuspension, EveryKeyIsRead) {
    const auto loaded =
        with_room("    suspension: { cool_down: 250ms, max_cool_down: 2s, retries: 0 }\n");
    ASSERT_TRUE(loaded) << problems(loaded);
    const auto& s = loaded->rooms[0].suspension;
    EXPECT_EQ(s.cool_down, 250ms);
    EXPECT_EQ(s.max_cool_down, 2s);
    EXPECT_EQ(s.retries, 0);
}

TEST(ConfigSuspension, BadValuesAreRefusedWhereTheyAre) {
    const std::pair<std::string, std::string> cases[] = {
        {"suspension: 5", "must be a map"},
        {"suspension: { cool_down: 0s }", "cool_down must be above 0s"},
        {"suspension: { cool_down: 2h }", "cool_down must be a duration"},
        {"suspension: { cool_down: 2m, max_cool_down: 1m }", "max_cool_down (1m) is shorter"},
        {"suspension: { retries: -1 }", "retries"},
        {"suspension: { retries: 1001 }", "retries"},
        {"suspension: { cooldown: 1m }", "cooldown"},
    };
    for (const auto& [line, fragment] : cases) {
        const auto loaded = with_room("    " + line + "\n");
        EXPECT_FALSE(loaded) << line;
        EXPECT_NE(problems(loaded).find(fragment), std::string::npos) << line << " gave:\n"
                                                                      << problems(loaded);
    }
}

}  // namespace
}  // namespace polylogue::config
