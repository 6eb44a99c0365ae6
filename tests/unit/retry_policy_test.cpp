#include <gtest/gtest.h>

#include "polylogue/providers/provider_factory.hpp"
#include "polylogue/providers/retry_policy.hpp"

namespace polylogue::providers {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const auto now = std::chrono::system_clock::from_time_t(1'796'010'000);  // 2026-11-30T03:40:00Z

api_failure of_kind(failure_kind kind) {
    api_failure failure;
    failure.kind = kind;
    return failure;
}

TEST(RetryAfter, WholeSeconds) {
    EXPECT_EQ(parse_retry_after({{"retry-after", "3"}}, now), milliseconds{3000});
}

TEST(RetryAfter, FractionalSeconds) {
    EXPECT_EQ(parse_retry_after({{"retry-after", "1.5"}}, now), milliseconds{1500});
}

TEST(RetryAfter, HttpDate) {
    EXPECT_EQ(parse_retry_after({{"retry-after", "Mon, 30 Nov 2026 03:40:07 GMT"}}, now),
              milliseconds{7000});
}

TEST(RetryAfter, DateInThePastMeansNow) {
    EXPECT_EQ(parse_retry_after({{"retry-after", "Mon, 30 Nov 2026 03:00:00 GMT"}}, now),
              milliseconds{0});
}

TEST(RetryAfter, MillisecondHeaderWins) {
    EXPECT_EQ(parse_retry_after({{"retry-after", "9"}, {"retry-after-ms", "250"}}, now),
              milliseconds{250});
}

TEST(RetryAfter, GarbageIsIgnored) {
    EXPECT_EQ(parse_retry_after({{"retry-after", "soon"}}, now), std::nullopt);
    EXPECT_EQ(parse_retry_after({{"retry-after", "-4"}}, now), std::nullopt);
    EXPECT_EQ(parse_retry_after({}, now), std::nullopt);
}

TEST(Backoff, DoublesUpToTheCapWithJitterInTheUpperHalf) {
    config::retry_settings settings;
    settings.initial_backoff = 100ms;
    settings.max_backoff = 1000ms;
    EXPECT_EQ(backoff_delay(1, settings, 0.999999), milliseconds{99});
    EXPECT_EQ(backoff_delay(1, settings, 0.0), milliseconds{50});
    EXPECT_EQ(backoff_delay(3, settings, 0.0), milliseconds{200});
    EXPECT_EQ(backoff_delay(10, settings, 0.0), milliseconds{500});
}

TEST(DecideRetry, OnlyRetriableFailuresAreRetried) {
    const config::retry_settings settings;
    EXPECT_TRUE(
        decide_retry(of_kind(failure_kind::retriable), 1, std::nullopt, 0ms, settings, 0.5).retry);
    EXPECT_FALSE(
        decide_retry(of_kind(failure_kind::final), 1, std::nullopt, 0ms, settings, 0.5).retry);
    EXPECT_FALSE(
        decide_retry(of_kind(failure_kind::authentication), 1, std::nullopt, 0ms, settings, 0.5)
            .retry);
}

TEST(DecideRetry, StopsAfterTheConfiguredAttempts) {
    config::retry_settings settings;
    settings.attempts = 3;
    EXPECT_TRUE(
        decide_retry(of_kind(failure_kind::retriable), 2, std::nullopt, 0ms, settings, 0.5).retry);
    EXPECT_FALSE(
        decide_retry(of_kind(failure_kind::retriable), 3, std::nullopt, 0ms, settings, 0.5).retry);
}

TEST(DecideRetry, HonoursTheServersDelay) {
    const config::retry_settings settings;
    const auto decision = decide_retry(of_kind(failure_kind::retriable), 1, 7s, 0ms, settings, 0.5);
    EXPECT_TRUE(decision.retry);
    EXPECT_EQ(decision.wait, 7s);
}

TEST(DecideRetry, GivesUpWhenTheWaitWouldExceedTheBudget) {
    config::retry_settings settings;
    settings.max_wait = 10s;
    EXPECT_FALSE(decide_retry(of_kind(failure_kind::retriable), 1, 11s, 0ms, settings, 0.5).retry);
    EXPECT_FALSE(decide_retry(of_kind(failure_kind::retriable), 1, 3s, 8s, settings, 0.5).retry);
}

TEST(Redact, RemovesTheKeyAndAnythingShapedLikeOne) {
    EXPECT_EQ(redact("bad key sk-live-1234567890abc given", "sk-live-1234567890abc"),
              "bad key [redacted] given");
    EXPECT_EQ(redact("Incorrect API key provided: sk-abc***xyz.", ""),
              "Incorrect API key provided: [redacted].");
    EXPECT_EQ(redact("key AIzaSyA1234567890abcdefgh is invalid", ""), "key [redacted] is invalid");
    EXPECT_EQ(redact("nothing secret here", "longsecret"), "nothing secret here");
}

}  // namespace
}  // namespace polylogue::providers
