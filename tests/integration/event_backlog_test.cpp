// Following a room with a long history over SSE from a real `polylogue serve`: the backlog is
// read from the room's history a page at a time, at the client's pace, so a history past 8 MiB
// can be followed from its start, and clients that read nothing cost the daemon next to nothing.

#include <gtest/gtest.h>

#include <thread>

#include "serve_fixture.hpp"
#include "support/usage_sampler.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t reply_bytes = 160 * 1024;

bool wait_until(const std::function<bool()>& check, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) {
            return true;
        }
        std::this_thread::sleep_for(100ms);
    }
    return false;
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
        ASSERT_TRUE(wait_until(
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
    ASSERT_TRUE(wait_until(
        [&] {
            return api.get("/metrics").body.find("polylogue_sse_clients 8") != std::string::npos;
        },
        10s));
    std::this_thread::sleep_for(1s);  // each has filled its socket and waits on its write
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
