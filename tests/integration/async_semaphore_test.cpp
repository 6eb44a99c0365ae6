// The async semaphore behind the HTTP client's per-host cap and a provider's in-flight cap:
// first come first served, deadlines that leave the queue, permits that cannot leak.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "polylogue/http/async_semaphore.hpp"
#include "support/loop.hpp"

namespace polylogue::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

asio::awaitable<void> pause(std::chrono::milliseconds length) {
    asio::steady_timer timer{co_await asio::this_coro::executor, length};
    co_await timer.async_wait(asio::use_awaitable);
}

// Takes a permit (waiting at most `patience`), holds it for `hold`, and notes what happened.
asio::awaitable<void> take_and_hold(async_semaphore* semaphore, std::string name,
                                    std::chrono::milliseconds patience,
                                    std::chrono::milliseconds hold, std::vector<std::string>* log) {
    auto got = co_await semaphore->acquire(steady_clock::now() + patience);
    if (!got) {
        log->push_back(name + " gave up");
        co_return;
    }
    log->push_back(name + " got it");
    co_await pause(hold);
}

class AsyncSemaphore : public ::testing::Test {
  protected:
    asio::io_context loop;
    std::vector<std::string> log;

    void spawn(async_semaphore* semaphore, std::string name, std::chrono::milliseconds patience,
               std::chrono::milliseconds hold, std::chrono::milliseconds start_after = 0ms) {
        asio::co_spawn(loop, start_later(semaphore, std::move(name), patience, hold, start_after),
                       [](std::exception_ptr failure) {
                           if (failure) {
                               std::rethrow_exception(failure);
                           }
                       });
    }

    asio::awaitable<void> start_later(async_semaphore* semaphore, std::string name,
                                      std::chrono::milliseconds patience,
                                      std::chrono::milliseconds hold,
                                      std::chrono::milliseconds start_after) {
        if (start_after.count() > 0) {
            co_await pause(start_after);
        }
        co_await take_and_hold(semaphore, std::move(name), patience, hold, &log);
    }

    // Runs handlers one at a time until a waiter is queued (or has given up already).
    void until_queued(const async_semaphore& semaphore) {
        for (int i = 0; i < 100 && semaphore.waiting() == 0 && log.empty(); ++i) {
            loop.poll_one();
        }
    }
};

TEST_F(AsyncSemaphore, WaitersAreServedInTheOrderTheyCame) {
    async_semaphore semaphore{1};
    spawn(&semaphore, "first", 1s, 60ms);
    spawn(&semaphore, "second", 2s, 20ms, 10ms);
    spawn(&semaphore, "third", 2s, 20ms, 20ms);
    spawn(&semaphore, "fourth", 2s, 20ms, 30ms);
    test::run_with_limit(loop, 5s);
    EXPECT_EQ(log, (std::vector<std::string>{"first got it", "second got it", "third got it",
                                             "fourth got it"}));
    EXPECT_EQ(semaphore.available(), 1u);
    EXPECT_EQ(semaphore.waiting(), 0u);
}

// The lost wake-up of issue 10: a waiter that gave up stayed in the queue, and the permit
// freed later went to it instead of to the one still waiting.
TEST_F(AsyncSemaphore, AStalledWaiterDoesNotStealTheSlot) {
    async_semaphore semaphore{1};
    spawn(&semaphore, "holder", 1s, 600ms);
    spawn(&semaphore, "impatient", 100ms, 0ms, 10ms);
    spawn(&semaphore, "patient", 4s, 0ms, 20ms);
    const auto began = steady_clock::now();
    test::run_with_limit(loop, 6s);
    const auto took = steady_clock::now() - began;
    EXPECT_EQ(log,
              (std::vector<std::string>{"holder got it", "impatient gave up", "patient got it"}));
    EXPECT_LT(took, 2s) << "the permit was free after 0.6 s";
    EXPECT_EQ(semaphore.available(), 1u);
    EXPECT_EQ(semaphore.waiting(), 0u);
}

TEST_F(AsyncSemaphore, NobodyTakesAPermitPastTheQueue) {
    async_semaphore semaphore{1};
    auto held = semaphore.try_acquire();
    ASSERT_TRUE(held);
    spawn(&semaphore, "waiter", 1s, 0ms);
    until_queued(semaphore);
    ASSERT_EQ(semaphore.waiting(), 1u);
    held->release();
    EXPECT_FALSE(semaphore.try_acquire()) << "the freed permit is the waiter's";
    test::run_with_limit(loop, 2s);
    EXPECT_EQ(log, std::vector<std::string>{"waiter got it"});
    EXPECT_TRUE(semaphore.try_acquire());
}

asio::awaitable<void> take_then_throw(async_semaphore* semaphore) {
    auto got = co_await semaphore->acquire(steady_clock::now() + 1s);
    co_await pause(10ms);
    throw std::runtime_error{"the attempt failed"};
}

TEST_F(AsyncSemaphore, APermitComesBackWhenItsHolderThrows) {
    async_semaphore semaphore{1};
    bool threw = false;
    asio::co_spawn(loop, take_then_throw(&semaphore),
                   [&threw](std::exception_ptr failure) { threw = failure != nullptr; });
    spawn(&semaphore, "next", 1s, 0ms, 1ms);
    test::run_with_limit(loop, 3s);
    EXPECT_TRUE(threw);
    EXPECT_EQ(log, std::vector<std::string>{"next got it"});
    EXPECT_EQ(semaphore.available(), 1u);
}

// A waiter whose deadline has passed but who has not run yet when the permit is handed to it
// keeps the permit: nothing is lost between the two.
TEST_F(AsyncSemaphore, APermitGrantedAsTheDeadlinePassesIsNotLost) {
    async_semaphore semaphore{1};
    auto held = semaphore.try_acquire();
    spawn(&semaphore, "late", 0ms, 0ms);
    until_queued(semaphore);
    ASSERT_EQ(semaphore.waiting() + log.size(), 1u);
    held->release();
    test::run_with_limit(loop, 2s);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(semaphore.available(), 1u) << log.front();
    EXPECT_EQ(semaphore.waiting(), 0u);
}

TEST_F(AsyncSemaphore, MovingAPermitKeepsOneRelease) {
    async_semaphore semaphore{2};
    {
        auto a = semaphore.try_acquire();
        auto b = semaphore.try_acquire();
        ASSERT_TRUE(a && b);
        EXPECT_FALSE(semaphore.try_acquire());
        async_semaphore::permit moved = std::move(*a);
        *b = std::move(moved);  // b's own permit is released, moved's taken over
        EXPECT_EQ(semaphore.available(), 1u);
    }
    EXPECT_EQ(semaphore.available(), 2u);
}

}  // namespace
}  // namespace polylogue::http
