// Following a room with a long history over SSE from a real `polylogue serve`: the backlog is
// read from the room's history a page at a time, at the client's pace, so a history past 8 MiB
// can be followed from its start, and clients that read nothing cost the daemon next to nothing.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/usage_sampler.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t reply_bytes = 160 * 1024;

// The bytes waiting in the send queue of each established connection the daemon accepted on
// port, from /proc/net/tcp (loopback is IPv4 here): a client that reads nothing leaves them there.
std::vector<unsigned long> queued_toward_clients(std::uint16_t port) {
    std::ifstream table{"/proc/net/tcp"};
    std::string line;
    std::getline(table, line);  // the header
    std::vector<unsigned long> queued;
    while (std::getline(table, line)) {
        std::istringstream fields{line};
        std::string slot, local, remote, state, queues;
        fields >> slot >> local >> remote >> state >> queues;
        const auto colon = local.find(':');
        if (colon == std::string::npos || state != "01" ||
            std::stoul(local.substr(colon + 1), nullptr, 16) != port) {
            continue;
        }
        queued.push_back(std::stoul(queues.substr(0, queues.find(':')), nullptr, 16));
    }
    std::ranges::sort(queued);
    return queued;
}

// Two rooms of one verbose model: "long" holds some 9 MiB of replies, "mid" some 5.6 MiB.
class EventBacklog : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::unique_ptr<test::child_process> serve;
    std::uint16_t port = 0;

    void SetUp() override {
        std::string script;
        for (int i = 1; i <= 60; ++i) {
            script += "- \"" + std::to_string(i) + " " + std::string(reply_bytes, 'w') + "\"\n";
        }
        dir.write("verbose.yaml", script);
        dir.write("serve.yaml",
                  "data_dir: var\n" + std::string{test::token_control} +
                      "providers:\n  stage: { kind: scripted }\n"
                      "models:\n  - { name: Verbose, provider: stage, script: verbose.yaml }\n"
                      "rooms:\n"
                      "  - { name: long, members: [Verbose], max_turns: 58, turn_delay: 0s }\n"
                      "  - { name: mid, members: [Verbose], max_turns: 36, turn_delay: 0s }\n");
        ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);
        serve = std::make_unique<test::child_process>(std::vector<std::string>{
            test::polylogue_binary(), "serve", (dir / "serve.yaml").string()});
        port = test::wait_for_serve_port(dir / "var", 20s);
        ASSERT_NE(port, 0);
        const test::api_client api{port, test::control_token};
        ASSERT_TRUE(test::eventually(
            [&] {
                return api.get("/v1/rooms/long").json()["state"] == "ended" &&
                       api.get("/v1/rooms/mid").json()["state"] == "ended";
            },
            60s));
    }

    void TearDown() override {
        serve->send(SIGTERM);
        EXPECT_EQ(serve->wait(10s).exit_code, 0);
    }
};

TEST_F(EventBacklog, AHistoryPast8MiBIsFollowedFromTheStartWithEveryRecordInOrder) {
    const test::api_client api{port, test::control_token};
    const auto last_seq = api.get("/v1/rooms/long").json()["last_seq"].get<std::int64_t>();
    const auto ended = [](const std::vector<http::sse_event>& events) {
        return !events.empty() && events.back().event == "room";
    };
    const auto events = api.read_events("/v1/rooms/long/events?after=0", ended, 60s);
    std::size_t data_bytes = 0;
    std::int64_t expected = 1;
    for (const auto& e : events) {
        data_bytes += e.data.size();
        if (e.event == "record") {
            ASSERT_EQ(std::stoll(e.id), expected) << "gap or duplicate";
            ++expected;
        }
    }
    EXPECT_EQ(expected - 1, last_seq) << "records missing at the end";
    EXPECT_GT(data_bytes, 8u * 1024 * 1024);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().event, "room") << "the room's summary ends the backlog";
}

TEST_F(EventBacklog, ClientsThatReadNothingDoNotGrowTheDaemon) {
    const long before = test::sample_process(serve->pid(), 0).rss_kib;
    std::vector<std::unique_ptr<test::silent_stream>> silent;
    for (int i = 0; i < 8; ++i) {
        silent.push_back(std::make_unique<test::silent_stream>(port, "/v1/rooms/mid/events?after=0",
                                                               test::control_token));
    }
    const test::api_client api{port, test::control_token};
    ASSERT_TRUE(test::eventually(
        [&] {
            return api.get("/metrics").body.find("polylogue_sse_clients 8") != std::string::npos;
        },
        10s));
    // Each has filled its socket and the daemon waits on its write: eight full send queues
    // that no longer change.
    std::vector<unsigned long> queued;
    ASSERT_TRUE(test::eventually(
        [&] {
            auto now = queued_toward_clients(port);
            const bool stalled = now.size() >= 8 && now == queued &&
                                 std::ranges::count_if(now, [](auto n) { return n > 0; }) >= 8;
            queued = std::move(now);
            return stalled;
        },
        20s, 200ms))
        << queued.size() << " connections";
    const long after = test::sample_process(serve->pid(), 1).rss_kib;
    const long grown = after - before;
    if (test::rss_measures_the_daemon()) {
        EXPECT_LT(grown, 8 * 1024) << "8 silent clients of a 5.6 MiB history grew RSS by " << grown
                                   << " KiB (" << before << " -> " << after << ")";
    }
    std::cout << "[ figures  ] RSS " << before << " KiB -> " << after << " KiB with 8 silent "
              << "clients\n";
}

}  // namespace
}  // namespace polylogue
