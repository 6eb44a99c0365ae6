// The room keys of the turn orders: turn_order, selector, and members with a talkativeness.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

result<config, refusal> parse_room(std::string_view room_lines) {
    const std::string text =
        "providers:\n"
        "  api: { kind: openai, base_url: \"https://api.example/v1\" }\n"
        "models:\n"
        "  - { name: Gemini 3 Pro, provider: api, id: gemini-3-pro }\n"
        "  - { name: Claude Opus 4.5, provider: api, id: claude-opus-4.5 }\n"
        "  - { name: Judge, provider: api, id: judge-1 }\n"
        "rooms:\n"
        "  - name: lab\n" +
        std::string{room_lines};
    return parse_config(text, "/nonexistent/polylogue.yaml");
}

std::string problems(const result<config, refusal>& outcome) {
    std::string text;
    if (!outcome) {
        for (const diagnostic& problem : outcome.error().problems) {
            text += problem.to_string() + "\n";
        }
    }
    return text;
}

void expect_refused(const result<config, refusal>& outcome, std::string_view fragment) {
    ASSERT_FALSE(outcome.has_value());
    EXPECT_NE(problems(outcome).find(fragment), std::string::npos) << problems(outcome);
}

TEST(ConfigTurnOrder, RoundRobinIsTheDefaultAndEveryOrderIsRead) {
    const auto plain = parse_room("    members: [Gemini 3 Pro]\n");
    ASSERT_TRUE(plain.has_value()) << problems(plain);
    EXPECT_EQ(plain->rooms[0].turn_order, turn_order::round_robin);
    for (const auto order : {"round_robin", "natural", "random", "parallel"}) {
        const auto room =
            parse_room(std::string{"    members: [Gemini 3 Pro]\n    turn_order: "} + order + "\n");
        ASSERT_TRUE(room.has_value()) << order << ": " << problems(room);
        EXPECT_EQ(to_string(room->rooms[0].turn_order), order);
    }
}

TEST(ConfigTurnOrder, AnUnknownOrderIsRefused) {
    expect_refused(parse_room("    members: [Gemini 3 Pro]\n    turn_order: chaos\n"),
                   "turn_order");
}

TEST(ConfigTurnOrder, TheSelectorIsAModelOfTheCatalogueInItsOwnSpelling) {
    const auto room =
        parse_room("    members: [Gemini 3 Pro]\n    turn_order: selector\n    selector: judge\n");
    ASSERT_TRUE(room.has_value()) << problems(room);
    EXPECT_EQ(room->rooms[0].turn_order, turn_order::selector);
    EXPECT_EQ(room->rooms[0].selector, "Judge");
}

TEST(ConfigTurnOrder, SelectorOrderNeedsASelectorAndOnlyItTakesOne) {
    expect_refused(parse_room("    members: [Gemini 3 Pro]\n    turn_order: selector\n"),
                   "turn_order selector needs a selector");
    expect_refused(parse_room("    members: [Gemini 3 Pro]\n    selector: Judge\n"),
                   "selector is only used with turn_order: selector");
    expect_refused(
        parse_room("    members: [Gemini 3 Pro]\n    turn_order: selector\n    selector: Nobody\n"),
        "selector 'Nobody' is not in the models catalogue");
}

TEST(ConfigTurnOrder, MembersMayCarryATalkativeness) {
    const auto room =
        parse_room("    members: [Gemini 3 Pro, { model: claude opus 4.5, talkativeness: 0 }]\n");
    ASSERT_TRUE(room.has_value()) << problems(room);
    const auto& lab = room->rooms[0];
    EXPECT_EQ(lab.members, (std::vector<std::string>{"Gemini 3 Pro", "Claude Opus 4.5"}));
    EXPECT_EQ(lab.talkativeness_of("Claude Opus 4.5"), 0.0);
    EXPECT_EQ(lab.talkativeness_of("Gemini 3 Pro"), default_talkativeness);
    EXPECT_EQ(lab.talkativeness_of("Judge"), default_talkativeness);  // not a member: invited
}

TEST(ConfigTurnOrder, TalkativenessIsANumberFromZeroToOne) {
    expect_refused(parse_room("    members: [{ model: Judge, talkativeness: 1.5 }]\n"),
                   "talkativeness must be a number from 0 to 1");
    expect_refused(parse_room("    members: [{ model: Judge, talkativeness: -0.1 }]\n"),
                   "talkativeness must be a number from 0 to 1");
    expect_refused(parse_room("    members: [{ model: Judge, talkativeness: loud }]\n"),
                   "talkativeness must be a number from 0 to 1");
    expect_refused(parse_room("    members: [{ talkativeness: 0.5 }]\n"), "model");
}

}  // namespace
}  // namespace polylogue::config
