// The SSE fan-out knows which rooms someone follows, so that rooms nobody follows build no frames.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "polylogue/control/event_hub.hpp"

namespace polylogue::control {
namespace {

// A room that has committed nothing yet.
class empty_room final : public record_source {
  public:
    record_page page_after(std::int64_t after, std::size_t) const override { return {{}, after}; }
    std::string summary_frame() const override { return sse_frame("", "room", "{}"); }
};

TEST(EventHub, FollowsARoomExactlyWhileOneOfItsClientsIsConnected) {
    boost::asio::io_context loop;
    event_hub hub{loop.get_executor()};
    EXPECT_FALSE(hub.has_clients("lobby"));
    const auto room = std::make_shared<empty_room>();
    auto first = hub.subscribe("lobby", room, 0);
    auto second = hub.subscribe("lobby", room, 0);
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
