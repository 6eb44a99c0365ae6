// The prompt prefix measurement of the long-room test and the bench's cache phase
// (tests/support/prompt_prefix.hpp): who sent a body, which requests count, the share, the cost.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/prompt_prefix.hpp"

namespace polylogue {
namespace {

using nlohmann::json;

// An OpenAI body whose system prompt names the slot, with these user turns.
std::string body_of(const std::string& slot, const std::vector<std::string>& turns,
                    const std::string& cache_key = {}) {
    json messages = json::array();
    messages.push_back({{"content", "You are " + slot + ", the model M."}, {"role", "system"}});
    for (const auto& text : turns) {
        messages.push_back({{"content", text}, {"role", "user"}});
    }
    json body{{"max_tokens", 16}, {"messages", messages}, {"model", "m"}, {"stream", true}};
    if (!cache_key.empty()) {
        body["prompt_cache_key"] = cache_key;
    }
    return body.dump();
}

TEST(PromptPrefixShare, TheSenderIsTheCacheKeyOrTheSlotTheSystemPromptNames) {
    EXPECT_EQ(test::member_of(body_of("AI-3", {"hello"})), "AI-3");
    EXPECT_EQ(test::member_of(body_of("AI-3", {"hello"}, "polylogue-00ff-AI-3")),
              "polylogue-00ff-AI-3");
    EXPECT_EQ(test::member_of(R"({"system":"You are AI-12, the model M.","messages":[]})"),
              "AI-12");
    EXPECT_EQ(test::member_of("not json"), "");
}

TEST(PromptPrefixShare, OnlyRequestsAfterOneOverNinetyPercentOfTheBudgetCount) {
    const std::string turn(400, 'a');
    const auto small = body_of("AI-1", {turn});
    const auto large = body_of("AI-1", {turn, turn});
    // A budget of 200 tokens is 800 bytes; 90% of it 720: the large body passes it.
    ASSERT_LT(small.size(), 720u);
    ASSERT_GT(large.size(), 720u);
    EXPECT_EQ(test::measure_prefix_share({small, small, large}, 200).budget_full, 0u);
    const auto report = test::measure_prefix_share({small, large, small, large}, 200);
    EXPECT_EQ(report.budget_full, 2u);
    EXPECT_EQ(report.requests, 4u);
    EXPECT_EQ(report.members, 1u);
}

TEST(PromptPrefixShare, EachRequestIsComparedWithItsOwnMembersPreviousOne) {
    const std::string a(1000, 'a');
    const std::string b(1000, 'b');
    const auto first = body_of("AI-1", {a});
    const auto appended = body_of("AI-1", {a, b});
    const auto shifted = body_of("AI-1", {b, a});
    const auto other = body_of("AI-2", {b});
    // Every body is over 90% of 100 tokens: all but each member's first request count.
    const auto report = test::measure_prefix_share({first, other, appended, other, shifted}, 100);
    ASSERT_EQ(report.budget_full, 3u);
    EXPECT_EQ(report.members, 2u);
    // appended holds all of first up to the end of its messages; other repeats itself whole;
    // shifted shares with appended only what comes before the first turn's text.
    const std::size_t appended_prefix = first.find("],\"model\"");
    const std::size_t shifted_prefix = appended.find(a);
    const std::vector<double> shares{
        static_cast<double>(appended_prefix) / static_cast<double>(appended.size()), 1.0,
        static_cast<double>(shifted_prefix) / static_cast<double>(shifted.size())};
    EXPECT_DOUBLE_EQ(report.mean_share, (shares[0] + shares[1] + shares[2]) / 3);
    EXPECT_DOUBLE_EQ(report.min_share, shares[2]);
    EXPECT_EQ(report.low_share, 1u);
    const auto bytes = static_cast<double>(appended.size() + other.size() + shifted.size());
    EXPECT_DOUBLE_EQ(report.byte_share,
                     static_cast<double>(appended_prefix + other.size() + shifted_prefix) / bytes);
    EXPECT_DOUBLE_EQ(report.mean_body_bytes, bytes / 3);
}

TEST(PromptPrefixShare, CachingPricesThePrefixAtTheReadRateAndTheRestAtTheWriteRate) {
    test::prefix_share_report share;
    share.mean_body_bytes = 400'000;  // 100,000 tokens a turn
    share.mean_prefix_bytes = 300'000;
    const auto cost = test::input_cost_per_100_turns(share, test::claude_sonnet_4_5);
    EXPECT_NEAR(cost.without_cache_usd, 100 * 0.1 * 3.0, 1e-9);
    EXPECT_NEAR(cost.with_cache_usd, 100 * (0.075 * 0.30 + 0.025 * 3.75), 1e-9);
}

TEST(PromptPrefixShare, RepliesVaryAroundTheirMeanSizeAndRepeatForTheSameNumber) {
    std::size_t total = 0;
    constexpr int count = 400;
    for (int n = 0; n < count; ++n) {
        const auto reply = test::varied_reply(static_cast<std::uint64_t>(n), 1200);
        EXPECT_GE(reply.size(), 600u);
        EXPECT_LE(reply.size(), 1800u);
        EXPECT_EQ(reply.find_first_of("!@[{`"), std::string::npos) << reply;
        total += reply.size();
    }
    EXPECT_NEAR(static_cast<double>(total) / count, 1200.0, 60.0);
    EXPECT_EQ(test::varied_reply(7, 1200), test::varied_reply(7, 1200));
    EXPECT_NE(test::varied_reply(7, 1200), test::varied_reply(8, 1200));
}

}  // namespace
}  // namespace polylogue
