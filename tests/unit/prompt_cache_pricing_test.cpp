// Prompt caching in the config and in prices: the two price keys, a model's `cache` option,
// what a reply's cached and written parts cost, and what a turn's worst case is estimated at
// (docs/config.md, `price` and `cache`).

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

constexpr std::string_view provider_line =
    "providers: { api: { kind: anthropic, base_url: https://example.test } }\n";

result<config, refusal> parse_models(std::string_view models) {
    return parse_config(std::string{provider_line} + "models:\n" + std::string{models},
                        "/tmp/prompt-cache-pricing.yaml");
}

// "LINE:COL: message" for every problem, in the order reported.
std::vector<std::string> problems_of(const result<config, refusal>& outcome) {
    std::vector<std::string> lines;
    if (outcome) {
        return lines;
    }
    for (const diagnostic& problem : outcome.error().problems) {
        lines.push_back(std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
                        problem.message);
    }
    return lines;
}

price opus_rates() {
    // Anthropic's shape: reads at a tenth of the input rate, writes at 1.25 times.
    return price{5.0, 25.0, 0.5, 6.25};
}

TEST(CachePricing, EachPartOfTheInputIsPricedAtItsOwnRate) {
    // 1M input of which 600k read from the cache and 100k written: 300k at 5, 600k at 0.5,
    // 100k at 6.25; 10k out at 25.
    const double usd = reply_cost_usd(opus_rates(), 1'000'000, 600'000, 100'000, 10'000);
    EXPECT_NEAR(usd, 1.5 + 0.3 + 0.625 + 0.25, 1e-12);
}

TEST(CachePricing, WithoutCachedPartsAReplyCostsWhatItAlwaysDid) {
    EXPECT_NEAR(reply_cost_usd(opus_rates(), 2'000, 0, 0, 400), (2'000 * 5.0 + 400 * 25.0) / 1e6,
                1e-15);
}

TEST(CachePricing, UnsetCacheRatesDefaultToTheInputRate) {
    const price plain{3.0, 15.0, std::nullopt, std::nullopt};
    EXPECT_NEAR(reply_cost_usd(plain, 1'000'000, 700'000, 200'000, 0), 3.0, 1e-12);
    const price reads_only{3.0, 15.0, 0.3, std::nullopt};
    // 700k at 0.3, the 200k written and the 100k plain at 3.
    EXPECT_NEAR(reply_cost_usd(reads_only, 1'000'000, 700'000, 200'000, 0), 0.21 + 0.9, 1e-12);
}

TEST(CachePricing, PartsLargerThanTheWholeNeverCountATokenTwice) {
    const price rates = opus_rates();
    // Cached alone over the whole: the whole is priced as cached, nothing more.
    EXPECT_NEAR(reply_cost_usd(rates, 1'000, 5'000, 0, 0), 1'000 * 0.5 / 1e6, 1e-15);
    // Cached and written over the whole together: the written part is what is left.
    EXPECT_NEAR(reply_cost_usd(rates, 1'000, 800, 900, 0), (800 * 0.5 + 200 * 6.25) / 1e6, 1e-15);
    // Negative counts are none.
    EXPECT_NEAR(reply_cost_usd(rates, 1'000, -50, -50, -10), 1'000 * 5.0 / 1e6, 1e-15);
    // Even a dear write rate costs no more than the whole prompt written.
    EXPECT_LE(reply_cost_usd(rates, 1'000, 0, 9'999, 0), 1'000 * 6.25 / 1e6 + 1e-15);
}

TEST(CachePricing, TheWorstInputRateIsTheDearestOfTheThree) {
    EXPECT_EQ(worst_input_per_mtok(opus_rates()), 6.25);
    EXPECT_EQ(worst_input_per_mtok(price{3.0, 15.0, std::nullopt, std::nullopt}), 3.0);
    // A cheaper read rate never lowers the estimate below the input rate.
    EXPECT_EQ(worst_input_per_mtok(price{3.0, 15.0, 0.3, std::nullopt}), 3.0);
    EXPECT_EQ(worst_input_per_mtok(price{3.0, 15.0, std::nullopt, 3.75}), 3.75);
}

TEST(CachePricing, TheConfigReadsBothCacheRatesInsidePrice) {
    const auto loaded = parse_models(
        "  - { name: Opus, provider: api, id: o, price: { input_per_mtok: 5, output_per_mtok: 25,\n"
        "      cached_input_per_mtok: 0.5, cache_write_per_mtok: 6.25 } }\n"
        "  - { name: Plain, provider: api, id: p, price: { input_per_mtok: 3, output_per_mtok: 15 "
        "} }\n"
        "rooms: []\n");
    ASSERT_TRUE(loaded) << testing::PrintToString(problems_of(loaded));
    const price& opus = *loaded->find_model("Opus")->price;
    EXPECT_EQ(opus.cached_input_per_mtok, 0.5);
    EXPECT_EQ(opus.cache_write_per_mtok, 6.25);
    const price& plain = *loaded->find_model("Plain")->price;
    EXPECT_FALSE(plain.cached_input_per_mtok.has_value());
    EXPECT_FALSE(plain.cache_write_per_mtok.has_value());
}

TEST(CachePricing, ACacheRateThatIsNegativeOrNotANumberIsRefusedWhereItStands) {
    const auto loaded = parse_models(
        "  - { name: A, provider: api, id: a, price: { input_per_mtok: 1, output_per_mtok: 2, "
        "cached_input_per_mtok: -0.1 } }\n"
        "  - { name: B, provider: api, id: b, price: { input_per_mtok: 1, output_per_mtok: 2, "
        "cache_write_per_mtok: cheap } }\n"
        "  - { name: C, provider: api, id: c, price: { input_per_mtok: 1, output_per_mtok: 2, "
        "cache_write_per_mtok: [1] } }\n"
        "rooms: []\n");
    const std::string rate = " must be a number of 0 or more (US dollars per million tokens)";
    EXPECT_EQ(problems_of(loaded), (std::vector<std::string>{
                                       "3:109: cached_input_per_mtok" + rate,
                                       "4:108: cache_write_per_mtok" + rate,
                                       "5:108: cache_write_per_mtok" + rate,
                                   }));
}

TEST(CachePricing, AModelCachesByDefaultAndCacheOffOrAutoIsRead) {
    const auto loaded = parse_models(
        "  - { name: Default, provider: api, id: d }\n"
        "  - { name: Auto, provider: api, id: a, cache: auto }\n"
        "  - { name: Off, provider: api, id: o, cache: off }\n"
        "rooms: []\n");
    ASSERT_TRUE(loaded) << testing::PrintToString(problems_of(loaded));
    EXPECT_EQ(loaded->find_model("Default")->cache, cache_mode::automatic);
    EXPECT_EQ(loaded->find_model("Auto")->cache, cache_mode::automatic);
    EXPECT_EQ(loaded->find_model("Off")->cache, cache_mode::off);
}

TEST(CachePricing, AnyOtherCacheValueIsRefusedWithTheTwoThatAreAllowed) {
    const auto loaded = parse_models(
        "  - { name: A, provider: api, id: a, cache: bad }\n"
        "  - { name: B, provider: api, id: b, cache: true }\n"
        "  - { name: C, provider: api, id: c, cache: [auto] }\n"
        "rooms: []\n");
    EXPECT_EQ(problems_of(loaded), (std::vector<std::string>{
                                       "3:45: cache must be auto or off",
                                       "4:45: cache must be auto or off",
                                       "5:45: cache must be auto or off",
                                   }));
}

}  // namespace
}  // namespace polylogue::config
