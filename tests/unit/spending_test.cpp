// What a turn may cost at most, the room's cap against it, the daemon's daily budget, and tool
// costs in the room's fold: the pure parts of the spending rules (docs/config.md, "Budgets").

#include <gtest/gtest.h>

#include "polylogue/config/loader.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "polylogue/room/room_state.hpp"
#include "room/turn_cost.hpp"
#include "support/records.hpp"

namespace polylogue::room {
namespace {

using namespace std::chrono_literals;
using core::record_type;
using kind = daily_budget::verdict::kind;
using time_point = std::chrono::system_clock::time_point;

config::config priced_config() {
    auto loaded = config::parse_config(
        "providers: { api: { kind: openai, base_url: https://example.test/v1 } }\n"
        "models:\n"
        "  - { name: Dear, provider: api, id: d, max_tokens: 1000,\n"
        "      price: { input_per_mtok: 2, output_per_mtok: 10 } }\n"
        "  - { name: Free, provider: api, id: f, max_tokens: 1000 }\n"
        "tools:\n"
        "  - { name: web, kind: searxng, base_url: http://s.test, price_per_call_usd: 0.01 }\n"
        "  - { name: paint, kind: openai_images, base_url: https://i.test, api_key_env: K,\n"
        "      model: m, price_per_call_usd: 0.04 }\n"
        "rooms:\n"
        "  - { name: plain, members: [Dear], max_cost_usd: 1 }\n"
        "  - { name: tooled, members: [Free], tools: { image: paint, search: web } }\n",
        "/tmp/priced.yaml");
    EXPECT_TRUE(loaded) << (loaded.error().problems.empty()
                                ? ""
                                : loaded.error().problems[0].to_string());
    return *loaded;
}

time_point at(const char* rfc3339) {
    return core::parse_rfc3339(rfc3339).value();
}

TEST(TurnCost, ThePromptAndMaxTokensAtTheModelsPriceBoundAToolFreeTurn) {
    const auto cfg = priced_config();
    const auto bound = worst_case_cost(cfg, cfg.rooms[0], cfg.models[0], 500);
    EXPECT_DOUBLE_EQ(bound.usd, (500 * 2.0 + 1000 * 10.0) / 1e6);
    EXPECT_EQ(bound.tool_calls, 0);
    EXPECT_EQ(describe_bound(bound),
              "up to $0.0110 (about 500 prompt tokens and 1000 max_tokens at its price)");
}

TEST(TurnCost, EveryCommandAReplyMayCarryOutCountsAsACallOfTheDearestTool) {
    const auto cfg = priced_config();
    const auto bound = worst_case_cost(cfg, cfg.rooms[1], cfg.models[1], 500);
    EXPECT_EQ(bound.tool_calls, 8);
    EXPECT_DOUBLE_EQ(bound.tool_price, 0.04);
    EXPECT_DOUBLE_EQ(bound.usd, 8 * 0.04) << "an unpriced model's tokens cost nothing";
    EXPECT_EQ(describe_bound(bound), "up to $0.3200 (8 tool calls at $0.0400)");
}

TEST(TurnCost, TheRoomEndsBeforeATurnThatCouldTakeItPastMaxCostUsd) {
    const auto cfg = priced_config();
    room_state state;
    state.cost_usd = 0.99;
    const auto bound = worst_case_cost(cfg, cfg.rooms[0], cfg.models[0], 500);
    const auto refusal = room_cap_refusal(state, cfg.rooms[0], bound, "AI-1 (Dear)");
    ASSERT_TRUE(refusal);
    EXPECT_EQ(*refusal,
              "the next turn would not fit in max_cost_usd: AI-1 (Dear) could spend up to $0.0110 "
              "(about 500 prompt tokens and 1000 max_tokens at its price), and $0.0100 of $1.00 "
              "is left ($0.9900 spent)");
    state.cost_usd = 0.5;
    EXPECT_FALSE(room_cap_refusal(state, cfg.rooms[0], bound, "AI-1 (Dear)"));
    EXPECT_FALSE(room_cap_refusal(state, cfg.rooms[1], bound, "AI-1 (Free)")) << "no cap";
}

TEST(DailyBudget, WithoutALimitEveryTurnIsGranted) {
    daily_budget budget;
    budget.add(at("2026-11-29T10:00:00.000Z"), 1e9);
    EXPECT_EQ(budget.reserve(1e9, at("2026-11-29T10:00:01.000Z")).what, kind::granted);
}

TEST(DailyBudget, ATurnMustFitBesideTheTurnsInFlightAndWaitsForThemToSettle) {
    daily_budget budget{1.0};
    const auto now = at("2026-11-29T10:00:00.000Z");
    budget.add(now, 0.25);
    EXPECT_EQ(budget.reserve(0.5, now).what, kind::granted);
    const auto second = budget.reserve(0.5, now);
    EXPECT_EQ(second.what, kind::busy) << "0.25 spent and 0.5 held leave 0.25";
    EXPECT_DOUBLE_EQ(second.held, 0.5);
    budget.release(0.5);
    EXPECT_EQ(budget.reserve(0.5, now).what, kind::granted);
    EXPECT_EQ(budget.reserve(0.8, now).what, kind::spent) << "0.25 + 0.8 is past 1.0 anyway";
}

TEST(DailyBudget, OnceTheDayIsSpentEvenAFreeTurnIsRefused) {
    daily_budget budget{1.0};
    const auto now = at("2026-11-29T10:00:00.000Z");
    budget.add(now, 1.0);
    const auto verdict = budget.reserve(0, now);
    EXPECT_EQ(verdict.what, kind::spent);
    EXPECT_EQ(budget_pause_text(verdict, {}, "AI-1 (Free)", "2026-11-30T00:00:00.000Z"),
              "The room was paused: the daily budget is spent: $1.00 of budget_usd_per_day $1.00 "
              "spent by every room since 00:00 UTC; it resumes at 2026-11-30T00:00:00.000Z (the "
              "next UTC day), or when a reload raises budget_usd_per_day");
}

TEST(DailyBudget, CountsRecordsOnTheirUtcDayAndStartsAfreshAtMidnight) {
    daily_budget budget{1.0};
    auto yesterday = test::message("AI-1", "x", "Dear");
    yesterday.cost_usd = 0.5;
    yesterday.time = "2026-11-28T23:59:59.999Z";
    auto image = test::of_type(record_type::image, 1, "a fox");
    image.cost_usd = 0.04;
    image.time = "2026-11-29T00:00:00.000Z";
    auto search = test::of_type(record_type::search_results, 1, "foxes");
    search.cost_usd = 0.01;
    search.time = "2026-11-29T08:00:00.000Z";
    budget.add(at("2026-11-29T00:00:00.000Z"), 0.0);
    const std::vector<core::record> records{yesterday, image, search};
    budget.count(records);
    EXPECT_DOUBLE_EQ(budget.spent_today(at("2026-11-29T12:00:00.000Z")), 0.05);
    EXPECT_DOUBLE_EQ(budget.spent_today(at("2026-11-30T00:00:00.000Z")), 0.0);
    EXPECT_EQ(daily_budget::next_day(at("2026-11-29T23:59:59.999Z")),
              at("2026-11-30T00:00:00.000Z"));
}

TEST(RoomSpend, ImagesAndSearchesCountInTheRoomsCost) {
    auto reply = test::message("AI-1", "x !image \"a fox\" !search \"foxes\"", "Dear");
    reply.cost_usd = 0.25;
    auto image = test::of_type(record_type::image, 1, "a fox");
    image.cost_usd = 0.125;
    auto search = test::of_type(record_type::search_results, 1, "foxes");
    search.cost_usd = 0.0625;
    auto unsaved = test::command(1, "image", {"another"}, core::command_status::failed);
    unsaved.cost_usd = 0.5;
    const auto state = fold(test::numbered({test::join(1, "Dear"), reply, image, search, unsaved}));
    EXPECT_DOUBLE_EQ(state.cost_usd, 0.25 + 0.125 + 0.0625 + 0.5);
}

TEST(RoomSpend, ABudgetPauseKnowsWhenItEndsAndAResumeForgetsIt) {
    auto paused = test::of_type(record_type::paused, 0, "the daily budget is spent");
    paused.resume_at = "2026-11-30T00:00:00.000Z";
    auto records = test::numbered({test::join(1, "Dear"), paused});
    room_state state = fold(records);
    EXPECT_TRUE(state.paused);
    EXPECT_EQ(state.resume_at, at("2026-11-30T00:00:00.000Z"));
    apply(state, test::numbered({test::join(1, "Dear"), paused,
                                 test::of_type(record_type::resumed, 0, "renewed")})[2]);
    EXPECT_FALSE(state.paused);
    EXPECT_FALSE(state.resume_at);
    const auto by_operator =
        fold(test::numbered({test::join(1, "Dear"), test::of_type(record_type::paused, 0, "ops")}));
    EXPECT_TRUE(by_operator.paused);
    EXPECT_FALSE(by_operator.resume_at) << "an operator's pause waits for an operator";
}

}  // namespace
}  // namespace polylogue::room
