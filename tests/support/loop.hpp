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
