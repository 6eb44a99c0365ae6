// The pure parts of the control API: Prometheus text, SSE frames, and validating a room body.

#include <gtest/gtest.h>

#include "polylogue/config/loader.hpp"
#include "polylogue/control/event_hub.hpp"
#include "polylogue/control/metrics.hpp"
#include "polylogue/control/room_view.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;

config::config catalogue() {
    auto loaded = config::parse_config(
        "providers: { router: { kind: openai, base_url: https://example.test/v1 } }\n"
        "models:\n"
        "  - { name: GPT 5, provider: router, id: openai/gpt-5 }\n"
        "  - { name: Grok 4, provider: router, id: x-ai/grok-4 }\n"
        "rooms: []\n",
        "/tmp/catalogue.yaml");
    EXPECT_TRUE(loaded) << (loaded.error().problems.empty()
                                ? ""
                                : loaded.error().problems[0].to_string());
    return *loaded;
}

core::record ai_message(std::int64_t input, std::int64_t output, double cost) {
    core::record r;
    r.type = core::record_type::message;
    r.speaker = "AI-1";
    r.model = "GPT 5";
    r.input_tokens = input;
    r.output_tokens = output;
    r.cost_usd = cost;
    return r;
}

TEST(ControlMetrics, CountsTurnsTokensCostAndFailuresByProviderAndReason) {
    const auto cfg = catalogue();
    control::metrics m;
    core::record failed;
    failed.type = core::record_type::turn_failed;
    failed.speaker = "AI-2";
    failed.model = "Grok 4";
    failed.failure = "retriable";
    core::record human;
    human.type = core::record_type::message;
    human.speaker = "janus";
    const std::vector<core::record> records{ai_message(100, 20, 0.5), failed, human,
                                            ai_message(10, 2, 0.25)};
    m.count_records(cfg, "lab", records);
    const std::string text = m.render({});
    EXPECT_NE(text.find("polylogue_turns_total 3\n"), std::string::npos) << text;
    EXPECT_NE(
        text.find("polylogue_turn_failures_total{provider=\"router\",reason=\"retriable\"} 1"),
        std::string::npos);
    EXPECT_NE(text.find("polylogue_tokens_total{direction=\"input\"} 110"), std::string::npos);
    EXPECT_NE(text.find("polylogue_tokens_total{direction=\"output\"} 22"), std::string::npos);
    EXPECT_NE(text.find("polylogue_cost_usd_total 0.75"), std::string::npos);
}

TEST(ControlMetrics, PromptCacheReadsAndWritesAreCountedApartFromTheInputTheyArePartOf) {
    const auto cfg = catalogue();
    control::metrics m;
    auto first = ai_message(1'000, 20, 0.5);
    first.cache_write_tokens = 900;
    auto second = ai_message(1'100, 30, 0.1);
    second.cached_input_tokens = 900;
    second.cache_write_tokens = 150;
    const std::vector<core::record> records{first, second, ai_message(50, 5, 0.01)};
    m.count_records(cfg, "lab", records);
    const std::string text = m.render({});
    for (const char* line : {"polylogue_tokens_total{direction=\"input\"} 2150\n",
                             "# TYPE polylogue_prompt_cache_tokens_total counter\n",
                             "polylogue_prompt_cache_tokens_total{operation=\"read\"} 900\n",
                             "polylogue_prompt_cache_tokens_total{operation=\"write\"} 1050\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << " in:\n" << text;
    }
    // A part of the input is never a direction of its own: summing the metric stays the tokens.
    EXPECT_EQ(text.find("polylogue_tokens_total{direction=\"cached"), std::string::npos);
}

TEST(RoomView, TheCachedShareIsTheCachedPartOfTheInputAndNeverOverOne) {
    room::room_state state;
    EXPECT_EQ(control::cached_input_share(state), 0.0);  // nothing reported yet
    state.input_tokens = 4'000;
    state.cached_input_tokens = 3'000;
    EXPECT_EQ(control::cached_input_share(state), 0.75);
    state.cached_input_tokens = 9'000;  // a provider that reported more than the whole
    EXPECT_EQ(control::cached_input_share(state), 1.0);
}

core::record tool_record(core::record_type type, std::string slot, std::string model, double cost) {
    core::record r;
    r.type = type;
    r.speaker = std::move(slot);
    r.model = std::move(model);
    r.cost_usd = cost;
    return r;
}

TEST(ControlMetrics, SpendIsCountedByRoomModelAndSourceBesideTheDailyBudget) {
    const auto cfg = catalogue();
    control::metrics m;
    const std::vector<core::record> lab{
        ai_message(100, 20, 0.5), tool_record(core::record_type::image, "AI-1", "GPT 5", 0.0625),
        tool_record(core::record_type::search_results, "AI-2", "Grok 4", 0.125)};
    const std::vector<core::record> den{ai_message(10, 2, 0.25)};
    m.count_records(cfg, "lab", lab);
    m.count_records(cfg, "den", den);
    control::metric_gauges g;
    g.budget_usd_per_day = 10;
    g.budget_spent_today_usd = 0.9375;
    const std::string text = m.render(g);
    for (const char* line :
         {"# TYPE polylogue_spend_usd_total counter\n",
          "polylogue_spend_usd_total{room=\"den\",model=\"GPT 5\",source=\"reply\"} 0.25\n",
          "polylogue_spend_usd_total{room=\"lab\",model=\"GPT 5\",source=\"image\"} 0.0625\n",
          "polylogue_spend_usd_total{room=\"lab\",model=\"GPT 5\",source=\"reply\"} 0.5\n",
          "polylogue_spend_usd_total{room=\"lab\",model=\"Grok 4\",source=\"search\"} 0.125\n",
          "polylogue_cost_usd_total 0.9375\n", "# TYPE polylogue_budget_usd_per_day gauge\n",
          "polylogue_budget_usd_per_day 10\n", "polylogue_budget_spent_today_usd 0.9375\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << " in:\n" << text;
    }
    EXPECT_EQ(control::metrics{}.render({}).find("polylogue_budget_usd_per_day"), std::string::npos)
        << "no daily budget, no budget gauge";
}

TEST(ControlMetrics, LatencyHistogramBucketsAreCumulativeWithInfCountAndSum) {
    control::metrics m;
    m.observe_call("router", 50ms, "ok");
    m.observe_call("router", 700ms, "ok");
    m.observe_call("router", 400s, "retriable");
    const std::string text = m.render({});
    EXPECT_NE(
        text.find("polylogue_provider_latency_seconds_bucket{provider=\"router\",le=\"0.1\"} 1"),
        std::string::npos)
        << text;
    EXPECT_NE(
        text.find("polylogue_provider_latency_seconds_bucket{provider=\"router\",le=\"1\"} 2"),
        std::string::npos);
    EXPECT_NE(
        text.find("polylogue_provider_latency_seconds_bucket{provider=\"router\",le=\"300\"} 2"),
        std::string::npos);
    EXPECT_NE(
        text.find("polylogue_provider_latency_seconds_bucket{provider=\"router\",le=\"+Inf\"} 3"),
        std::string::npos);
    EXPECT_NE(text.find("polylogue_provider_latency_seconds_count{provider=\"router\"} 3"),
              std::string::npos);
    EXPECT_NE(
        text.find("polylogue_provider_calls_total{provider=\"router\",outcome=\"retriable\"} 1"),
        std::string::npos);
}

TEST(ControlMetrics, GaugesAndEscapedLabels) {
    control::metrics m;
    control::metric_gauges g;
    g.rooms_by_state["running"] = 3;
    g.rooms_by_state["ended"] = 1;
    g.sse_clients = 2;
    g.http_connections_evicted = 89;
    g.http_connections_refused = 4;
    const std::string text = m.render(g);
    EXPECT_NE(text.find("polylogue_rooms{state=\"running\"} 3"), std::string::npos);
    EXPECT_NE(text.find("polylogue_sse_clients 2"), std::string::npos);
    EXPECT_NE(text.find("# TYPE polylogue_http_connections_evicted_total counter\n"
                        "polylogue_http_connections_evicted_total 89\n"),
              std::string::npos);
    EXPECT_NE(text.find("polylogue_http_connections_refused_total 4\n"), std::string::npos);
    EXPECT_EQ(control::escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(SseFrame, CarriesIdEventAndOneDataLine) {
    EXPECT_EQ(control::sse_frame("7", "record", "{\"seq\":7}"),
              "id: 7\nevent: record\ndata: {\"seq\":7}\n\n");
    EXPECT_EQ(control::sse_frame("", "token", "{}"), "event: token\ndata: {}\n\n");
}

TEST(RoomDocument, AValidRoomIsCheckedAgainstTheCatalogue) {
    const auto cfg = catalogue();
    const auto outcome = config::parse_room(
        "{\"name\": \"r2\", \"members\": [\"gpt 5\"], \"max_turns\": 7}", cfg, "body");
    ASSERT_TRUE(outcome) << outcome.error().problems[0].to_string();
    EXPECT_EQ(outcome->members, std::vector<std::string>{"GPT 5"});
    EXPECT_EQ(outcome->max_turns, 7);
}

TEST(RoomDocument, EveryProblemIsLocatedInTheBody) {
    const auto cfg = catalogue();
    const auto outcome = config::parse_room(
        "name: r2\nmembers: [GPT 5, Claude]\nmax_ais: 9\ntools: { image: painter }\n", cfg, "body");
    ASSERT_FALSE(outcome);
    ASSERT_EQ(outcome.error().problems.size(), 3u);
    EXPECT_EQ(outcome.error().problems[0].line, 2);
    EXPECT_EQ(outcome.error().problems[0].column, 18);
    EXPECT_NE(outcome.error().problems[0].message.find("Claude"), std::string::npos);
    EXPECT_EQ(outcome.error().problems[1].line, 3);
    EXPECT_EQ(outcome.error().problems[2].line, 4);
    EXPECT_EQ(outcome.error().problems[2].file, "body");
}

TEST(RoomDocument, NotAMapIsRefusedWithAPosition) {
    const auto outcome = config::parse_room("[1, 2]", catalogue(), "body");
    ASSERT_FALSE(outcome);
    ASSERT_EQ(outcome.error().problems.size(), 1u);
    EXPECT_EQ(outcome.error().problems[0].line, 1);
    const auto broken = config::parse_room("name: [unclosed", catalogue(), "body");
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().problems[0].message.find("YAML"), std::string::npos);
}

}  // namespace
}  // namespace polylogue
