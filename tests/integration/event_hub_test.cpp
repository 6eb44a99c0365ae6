// The SSE fan-out knows which rooms someone follows, so that rooms nobody follows build no frames.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "polylogue/control/event_hub.hpp"

namespace polylogue::control {
namespace {

TEST(EventHub, FollowsARoomExactlyWhileOneOfItsClientsIsConnected) {
    boost::asio::io_context loop;
    event_hub hub{loop.get_executor()};
    EXPECT_FALSE(hub.has_clients("lobby"));
    auto first = hub.subscribe("lobby", {});
    auto second = hub.subscribe("lobby", {});
    EXPECT_TRUE(hub.has_clients("lobby"));
    EXPECT_FALSE(hub.has_clients("lobby-2"));
    EXPECT_FALSE(hub.has_clients("lobb"));
    first.reset();
    EXPECT_TRUE(hub.has_clients("lobby"));
    second.reset();
    EXPECT_FALSE(hub.has_clients("lobby"));
    EXPECT_EQ(hub.clients(), 0U);
}

}  // namespace
}  // namespace polylogue::control
