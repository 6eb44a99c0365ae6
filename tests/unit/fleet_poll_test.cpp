// How long a refused fleet acquire waits before asking the database again (app/fleet_budget):
// until the minute's oldest start leaves it when requests_per_minute is what refused, a short
// backoff otherwise.

#include <gtest/gtest.h>

#include "app/fleet_budget.hpp"

namespace polylogue::app {
namespace {

using namespace std::chrono_literals;

transcript::call_admission refusal(int in_flight, int started, std::chrono::milliseconds frees) {
    transcript::call_admission refused;
    refused.in_flight = in_flight;
    refused.started_last_minute = started;
    refused.window_frees_in = frees;
    return refused;
}

TEST(FleetPoll, AFullMinuteWaitsUntilItsOldestStartLeavesIt) {
    const providers::budget_limits limits{4, 3};
    EXPECT_EQ(next_fleet_poll(refusal(0, 3, 41'000ms), limits, 0, 0.0), 41'005ms);
    // However many polls came before: asking sooner cannot succeed.
    EXPECT_EQ(next_fleet_poll(refusal(4, 3, 1'500ms), limits, 9, 1.0), 1'505ms);
}

TEST(FleetPoll, AFullFleetBacksOffFromTwentyMillisecondsToFourHundred) {
    const providers::budget_limits limits{2, 0};
    const auto frees = 30'000ms;  // ignored: no requests_per_minute budget
    EXPECT_EQ(next_fleet_poll(refusal(2, 60, frees), limits, 0, 0.0), 20ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 60, frees), limits, 1, 0.0), 40ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 60, frees), limits, 4, 0.0), 320ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 60, frees), limits, 5, 0.0), 400ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 60, frees), limits, 1'000'000, 0.0), 400ms);
}

TEST(FleetPoll, AMinuteWithRoomLeftBacksOffAsAFullFleetDoes) {
    const providers::budget_limits limits{2, 100};
    EXPECT_EQ(next_fleet_poll(refusal(2, 99, 5'000ms), limits, 2, 0.0), 80ms);
}

TEST(FleetPoll, JitterStretchesABackoffByAtMostAQuarter) {
    const providers::budget_limits limits{2, 0};
    EXPECT_EQ(next_fleet_poll(refusal(2, 0, 0ms), limits, 5, 1.0), 500ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 0, 0ms), limits, 5, 0.5), 450ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 0, 0ms), limits, 5, 7.0), 500ms);
    EXPECT_EQ(next_fleet_poll(refusal(2, 0, 0ms), limits, 5, -1.0), 400ms);
}

}  // namespace
}  // namespace polylogue::app
