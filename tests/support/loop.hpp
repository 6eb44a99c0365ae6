#pragma once
// Every async test has a time limit: run the loop until it runs out of work or the limit passes.

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace polylogue::test {

inline void run_with_limit(boost::asio::io_context& loop, std::chrono::milliseconds limit) {
    loop.run_for(limit);
    ASSERT_TRUE(loop.stopped()) << "the event loop still had work after " << limit.count() << " ms";
}

}  // namespace polylogue::test

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <optional>

namespace polylogue::test {

// Runs one coroutine to completion on a fresh loop within limit; fails the test otherwise.
template <class T>
std::optional<T> run_coroutine(boost::asio::io_context& loop, boost::asio::awaitable<T> task,
                               std::chrono::milliseconds limit = std::chrono::seconds{20}) {
    std::optional<T> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(loop, std::move(task), [&](std::exception_ptr e, T value) {
        failure = e;
        out = std::move(value);
    });
    loop.restart();
    loop.run_for(limit);
    EXPECT_TRUE(out.has_value() || failure) << "the coroutine did not finish within the limit";
    if (failure) {
        std::rethrow_exception(failure);
    }
    return out;
}

}  // namespace polylogue::test
