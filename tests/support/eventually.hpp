#pragma once
// Waiting for another process or thread: poll a condition until it holds or a deadline passes.
// A test waits for a positive signal this way (a record, a metric, a file); it never sleeps and
// then asserts that something did not happen: a sleep proves nothing on a loaded machine. To
// check that something did not happen, wait for a later event that shows its moment passed.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace polylogue::test {

// Whether condition() held before limit passed; it is asked once more at the deadline, so a
// condition that holds then counts. Use as ASSERT_TRUE(eventually(...)) << what was awaited.
template <typename Condition>
::testing::AssertionResult eventually(
    Condition&& condition, std::chrono::milliseconds limit = std::chrono::seconds{20},
    std::chrono::milliseconds interval = std::chrono::milliseconds{20}) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return ::testing::AssertionSuccess();
        }
        std::this_thread::sleep_for(interval);
    }
    if (condition()) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "the condition did not hold within " << limit.count() << " ms";
}

}  // namespace polylogue::test
