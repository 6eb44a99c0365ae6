#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "polylogue/config/loader.hpp"
#include "polylogue/config/room_settings.hpp"

namespace polylogue::config {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

room file_room() {
    room r;
    r.name = "salon";
    r.members = {"Ada", "Babbage"};
    r.max_turns = 40;
    r.turn_delay = 2000ms;
    return r;
}

json valid(std::string_view body, const room& base = file_room()) {
    const auto outcome = validate_room_settings(body, base, "body");
    if (!outcome) {
        for (const auto& problem : outcome.error().problems) {
            ADD_FAILURE() << problem.to_string();
        }
        return {};
    }
    return json::parse(*outcome);
}

std::string first_problem(std::string_view body, const room& base = file_room()) {
    const auto outcome = validate_room_settings(body, base, "body");
    if (outcome) {
        ADD_FAILURE() << "accepted: " << *outcome;
        return {};
    }
    return outcome.error().problems.front().to_string();
}

TEST(RoomSettings, NormalizesEachKeyAsTheConfigWritesIt) {
    const json settings = valid(
        R"({"max_turns": 60, "turn_delay": "1500ms", "turn_order": "random",
            "loop_guard": {"window": 3}, "max_ai_streak": "12", "max_cost_usd": 2.5})");
    EXPECT_EQ(settings["max_turns"], 60);
    EXPECT_EQ(settings["turn_delay"], "1500ms");
    EXPECT_EQ(settings["turn_order"], "random");
    EXPECT_EQ(settings["loop_guard"],
              (json{{"window", 3}, {"similarity", 0.8}, {"action", "pause"}}));
    EXPECT_EQ(settings["max_ai_streak"], 12);
    EXPECT_EQ(settings["max_cost_usd"], 2.5);
}

TEST(RoomSettings, NullMeansBackToTheFilesValue) {
    EXPECT_EQ(valid(R"({"max_turns": null})"), (json{{"max_turns", nullptr}}));
}

TEST(RoomSettings, AnOutOfRangeValueIsRefusedAtItsKey) {
    const std::string problem = first_problem("{\n  \"max_turns\": 0\n}");
    EXPECT_EQ(problem, "body:2:16: max_turns must be an integer from 1 to 1000000");
}

TEST(RoomSettings, ALoopGuardIsValidatedAsInTheFile) {
    EXPECT_NE(first_problem(R"({"loop_guard": {"window": 1}})")
                  .find("window must be an integer "
                        "from 2 to 50"),
              std::string::npos);
    EXPECT_NE(first_problem(R"({"loop_guard": {"similarity": 1.5}})")
                  .find("loop_guard similarity must be a number above 0 and at most 1"),
              std::string::npos);
    EXPECT_NE(first_problem(R"({"loop_guard": {"action": "explode"}})")
                  .find("loop_guard action must be notice, pause or end"),
              std::string::npos);
}

TEST(RoomSettings, UnknownKeysAreRefusedWithASuggestion) {
    const std::string problem = first_problem(R"({"max_turn": 5})");
    EXPECT_NE(problem.find("unknown key 'max_turn'"), std::string::npos) << problem;
    EXPECT_NE(problem.find("did you mean 'max_turns'?"), std::string::npos) << problem;
    EXPECT_NE(first_problem(R"({"members": ["Ada"]})").find("unknown key 'members'"),
              std::string::npos);
}

TEST(RoomSettings, ABadDurationOrOrderIsRefused) {
    EXPECT_NE(first_problem(R"({"turn_delay": "2 seconds"})").find("turn_delay"),
              std::string::npos);
    EXPECT_NE(first_problem(R"({"turn_order": "alphabetical"})").find("turn_order must be one of"),
              std::string::npos);
}

TEST(RoomSettings, SelectorOrderNeedsASelectorInTheFile) {
    EXPECT_NE(first_problem(R"({"turn_order": "selector"})").find("needs a selector"),
              std::string::npos);
    room with_selector = file_room();
    with_selector.selector = "Curie";
    EXPECT_EQ(valid(R"({"turn_order": "selector"})", with_selector)["turn_order"], "selector");
}

TEST(RoomSettings, TheBodyIsANonEmptyJsonObject) {
    for (const char* body : {"", "[]", "{}", "42", "max_turns: 5", "{\"max_turns\": 5"}) {
        EXPECT_FALSE(validate_room_settings(body, file_room(), "body").has_value()) << body;
    }
    EXPECT_FALSE(validate_room_settings(std::string(max_room_settings_bytes + 1, ' ') + "{}",
                                        file_room(), "body")
                     .has_value());
}

TEST(EffectiveRoom, SettingsLayOverTheFilesRoom) {
    const room r = effective_room(file_room(),
                                  R"({"max_turns":60,"turn_delay":"500ms","max_ai_streak":7,)"
                                  R"("loop_guard":{"window":3,"similarity":0.9,"action":"end"}})");
    EXPECT_EQ(r.max_turns, 60);
    EXPECT_EQ(r.turn_delay, 500ms);
    EXPECT_EQ(r.max_ai_streak, 7);
    ASSERT_TRUE(r.loop_guard.has_value());
    EXPECT_EQ(r.loop_guard->window, 3);
    EXPECT_DOUBLE_EQ(r.loop_guard->similarity, 0.9);
    EXPECT_EQ(r.loop_guard->action, loop_action::end);
    EXPECT_EQ(r.name, "salon");
    EXPECT_EQ(r.members, file_room().members);
}

TEST(EffectiveRoom, NoSettingsIsTheFilesRoom) {
    const room r = effective_room(file_room(), "{}");
    EXPECT_EQ(r.max_turns, 40);
    EXPECT_EQ(r.turn_delay, 2000ms);
    EXPECT_FALSE(r.loop_guard.has_value());
}

TEST(EffectiveRoom, ASelectorOrderWithoutASelectorKeepsTheFilesOrder) {
    const room r = effective_room(file_room(), R"({"turn_order":"selector"})");
    EXPECT_EQ(r.turn_order, turn_order::round_robin);
}

TEST(EffectiveRoom, WhatValidationWritesReadsBackTheSame) {
    const room base = file_room();
    const auto settings = validate_room_settings(
        R"({"max_cost_usd": 0.75, "turn_delay": "1.5s", "turn_order": "natural"})", base, "body");
    ASSERT_TRUE(settings.has_value());
    const room r = effective_room(base, *settings);
    EXPECT_EQ(r.max_cost_usd, 0.75);
    EXPECT_EQ(r.turn_delay, 1500ms);
    EXPECT_EQ(r.turn_order, turn_order::natural);
}

TEST(EffectiveRoom, OverriddenKeysAreThoseTheSettingsSet) {
    EXPECT_EQ(overridden_room_keys(R"({"turn_delay":"1s","max_turns":3})"),
              (std::vector<std::string>{"max_turns", "turn_delay"}));
    EXPECT_TRUE(overridden_room_keys("{}").empty());
}

}  // namespace
}  // namespace polylogue::config

namespace polylogue::config {
namespace {

std::string config_with_room(std::string_view room_keys) {
    return std::string{
               "providers:\n"
               "  api: { kind: openai, base_url: \"https://api.example/v1\" }\n"
               "models:\n"
               "  - { name: Ada, provider: api, id: ada-1 }\n"
               "rooms:\n"
               "  - name: lab\n"
               "    members: [Ada]\n"} +
           std::string{room_keys};
}

TEST(GuardKeys, ALoopGuardTakesItsDefaultsForKeysNotWritten) {
    const auto loaded =
        parse_config(config_with_room("    loop_guard: { action: notice }\n"), "/tmp/p.yaml");
    ASSERT_TRUE(loaded.has_value()) << loaded.error().problems.front().to_string();
    const auto& guard = loaded->rooms.front().loop_guard;
    ASSERT_TRUE(guard.has_value());
    EXPECT_EQ(guard->window, 4);
    EXPECT_DOUBLE_EQ(guard->similarity, 0.8);
    EXPECT_EQ(guard->action, loop_action::notice);
    EXPECT_FALSE(loaded->rooms.front().max_ai_streak.has_value());
}

TEST(GuardKeys, MaxAiStreakIsAPositiveInteger) {
    const auto loaded = parse_config(config_with_room("    max_ai_streak: 20\n"), "/tmp/p.yaml");
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->rooms.front().max_ai_streak, 20);
    const auto refused = parse_config(config_with_room("    max_ai_streak: 0\n"), "/tmp/p.yaml");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().problems.front().to_string(),
              "/tmp/p.yaml:8:20: max_ai_streak must be an integer from 1 to 1000000");
}

TEST(GuardKeys, ALoopGuardThatIsNotAMapIsRefused) {
    const auto refused = parse_config(config_with_room("    loop_guard: yes\n"), "/tmp/p.yaml");
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().problems.front().message.find("loop_guard must be a map"),
              std::string::npos);
    const auto unknown =
        parse_config(config_with_room("    loop_guard: { windows: 3 }\n"), "/tmp/p.yaml");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_NE(unknown.error().problems.front().message.find("unknown key 'windows'"),
              std::string::npos);
}

}  // namespace
}  // namespace polylogue::config
