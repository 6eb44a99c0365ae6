// The fault soak in small (tests/soak runs it at full size): `polylogue serve` runs 20 rooms of
// 10 turns against providers that fail about one call in nine, in every way the adapters
// handle, and the transcript accounts for every request the providers answered.

#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "support/fault_soak.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;

TEST(FaultSoak, TwentyRoomsFinishAndTheRecordsAccountForEveryInjectedFailure) {
    test::soak_settings settings;
    settings.rooms = 20;
    settings.turns = 10;
    settings.shortest_delay = 50ms;
    settings.longest_delay = 150ms;
    settings.seed = std::random_device{}();
    // One of each failure in every hundred calls, so each kind of API meets each of them.
    settings.deck.deck_size = 100;
    for (const auto f : test::all_faults) {
        if (test::is_failure(f)) {
            settings.deck.counts[f] = 1;
        }
    }
    settings.deck.counts[test::fault::slow_stream] = 3;
    // Too short for memory to settle: only descriptors are compared, over the first and the
    // last few seconds.
    settings.window = 3s;
    settings.rss_slack_kib = 1024 * 1024;
    settings.time_limit = 60s;
    const auto report = test::run_fault_soak(settings);
    std::cout << report.summary();
    EXPECT_TRUE(report.problems.empty()) << "seed " << settings.seed << "\n" << report.summary();
    EXPECT_EQ(report.rooms_ended, 20);
    EXPECT_EQ(report.messages + report.failed_turns, 200);
    for (const auto f : test::all_faults) {
        EXPECT_GT(report.injected.count(test::to_string(f)), 0u) << test::to_string(f);
    }
}

}  // namespace
}  // namespace polylogue
