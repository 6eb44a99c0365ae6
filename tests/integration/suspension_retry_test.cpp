// A provider that fails, then recovers: its suspended member is tried again after a cool-down
// that doubles up to a cap (each retry a record), a room whose every member is suspended waits
// instead of ending, a restart keeps the schedule the records hold, and a room that ended because
// its members failed is resumed over the control API (also after a restart).

#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>

#include "polylogue/core/text.hpp"
#include "support/api_client.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using test::fake_response;

constexpr const char* token = "suspension-token-0123456789abcdef";

std::chrono::system_clock::time_point time_of(const json& record) {
    return core::parse_rfc3339(record["time"].get<std::string>()).value();
}

std::chrono::milliseconds millis(std::chrono::system_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

using test::of_type;

// Whether the ROOM's first member is suspended (false for anything that is not a ROOM).
bool member_suspended(const json& room) {
    const auto members = room.find("members");
    return room.is_object() && members != room.end() && members->is_array() && !members->empty() &&
           members->front().value("suspended", false);
}

class SuspensionRetry : public ::testing::Test {
  protected:
    std::atomic<bool> down{true};
    std::atomic<int> failing_left{0};  // while down is false: this many more failures first
    test::fake_server provider;        // after what its handler reads: destroyed before it
    test::temp_dir dir;

    void SetUp() override {
        ::setenv("PL_SUSPENSION_KEY", "sk-suspension-0123456789", 1);
        ::setenv("PL_SUSPENSION_TOKEN", token, 1);
        provider.on_request([this](const test::recorded_request&) {
            if (down || failing_left.fetch_sub(1) > 0) {
                return fake_response::json(
                    503, R"({"error":{"message":"down for maintenance","type":"unavailable"}})");
            }
            return fake_response::sse(test::openai_stream("back again"));
        });
    }

    // One attempt per turn, so each request the provider sees is one turn or one retry.
    std::filesystem::path write_config(const std::string& rooms) {
        return dir.write(
            "suspension.yaml",
            "data_dir: var\n"
            "control: { listen: 127.0.0.1:0, token_env: PL_SUSPENSION_TOKEN }\n"
            "shutdown_grace: 1s\n"
            "providers:\n"
            "  flaky: { kind: openai, base_url: " +
                provider.base_url() +
                "/v1, api_key_env: PL_SUSPENSION_KEY,\n"
                "           retry: { attempts: 1 }, timeouts: { first_byte: 5s, total: 10s } }\n"
                "models:\n"
                "  - { name: Flaky, provider: flaky, id: flaky-1 }\n"
                "rooms:\n" +
                rooms);
    }

    static std::string room(const std::string& name, int max_turns, const std::string& suspension) {
        return "  - { name: " + name +
               ", members: [Flaky], max_turns: " + std::to_string(max_turns) +
               ", turn_delay: 0s, suspend_after_failures: 1,\n"
               "      suspension: " +
               suspension + " }\n";
    }

    struct serving {
        std::unique_ptr<test::child_process> child;
        test::api_client api;
    };

    // A `serve` of config, once its serve.json (not one a killed daemon left) names it.
    serving start_serve(const std::filesystem::path& config) {
        auto child = std::make_unique<test::child_process>(
            std::vector<std::string>{test::polylogue_binary(), "serve", config.string()});
        // serve.json is this daemon's (not the previous life's) once it names this pid.
        const bool started = test::eventually(
            [&] {
                std::ifstream in{dir / "var" / "serve.json"};
                const auto info = json::parse(in, nullptr, false);
                return info.is_object() && info.value("pid", 0) == child->pid();
            },
            20s, 10ms);
        EXPECT_TRUE(started) << "serve did not start";
        const std::uint16_t port = started ? test::wait_for_serve_port(dir / "var", 5s) : 0;
        EXPECT_NE(port, 0) << "serve did not start";
        return serving{std::move(child), test::api_client{port, token}};
    }

    // Polls the room over the API until done(ROOM) holds; the last ROOM seen.
    static json wait_for(const test::api_client& api, const std::string& name,
                         const std::function<bool(const json&)>& done,
                         std::chrono::milliseconds limit = 30s) {
        json seen;
        EXPECT_TRUE(test::eventually(
            [&] {
                seen = api.get("/v1/rooms/" + name).json();
                return !seen.is_discarded() && done(seen);
            },
            limit))
            << "room " << name << " never got there; last seen: " << seen.dump();
        return seen;
    }
};

TEST_F(SuspensionRetry, ARoomWhoseOnlyMemberIsSuspendedWaitsRetriesLaterEachTimeAndRecovers) {
    down = false;
    failing_left = 4;  // the first turn and three retries fail, the fourth retry answers
    const auto config =
        write_config(room("outage", 8, "{ cool_down: 300ms, max_cool_down: 1200ms, retries: 6 }"));
    const auto run = test::polylogue({"run", config.string()}, {}, 60s);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto records = test::transcript_records(config, "outage");

    const auto suspensions = of_type(records, "member_suspended");
    ASSERT_EQ(suspensions.size(), 4u);
    const std::vector<std::chrono::milliseconds> cool_downs{300ms, 600ms, 1200ms, 1200ms};
    for (std::size_t i = 0; i < suspensions.size(); ++i) {
        const json& s = suspensions[i];
        EXPECT_EQ(s.value("retry", 0), static_cast<int>(i + 1)) << s.dump();
        const auto retry_at = core::parse_rfc3339(s.value("retry_at", ""));
        ASSERT_TRUE(retry_at.has_value()) << s.dump();
        const auto scheduled = millis(*retry_at - time_of(s));
        EXPECT_GE(scheduled, cool_downs[i] - 50ms) << s.dump();
        EXPECT_LE(scheduled, cool_downs[i] + 50ms) << s.dump();
    }
    // The provider saw each retry no sooner than its cool-down after the failure before it.
    const auto requests = provider.requests();
    ASSERT_EQ(requests.size(), 8u);
    for (std::size_t i = 0; i < cool_downs.size(); ++i) {
        const auto gap = millis(requests[i + 1].received - requests[i].received);
        EXPECT_GE(gap.count(), cool_downs[i].count() - 20) << "before request " << i + 2;
        std::cout << "[ measure  ] retry " << i + 1 << " came " << gap.count() << " ms after a "
                  << cool_downs[i].count() << " ms cool-down\n";
    }
    const auto reinstated = of_type(records, "member_reinstated");
    ASSERT_EQ(reinstated.size(), 1u);
    EXPECT_NE(reinstated[0].value("text", "").find("answered retry 4"), std::string::npos);
    EXPECT_EQ(of_type(records, "message").size(), 4u);
    EXPECT_EQ(of_type(records, "turn_failed").size(), 4u);
    EXPECT_EQ(records.back()["type"], "room_ended");
    EXPECT_NE(records.back().value("text", "").find("max_turns"), std::string::npos);
}

TEST_F(SuspensionRetry, ARestartKeepsTheRetryTheRecordsScheduled) {
    const auto config =
        write_config(room("patient", 3, "{ cool_down: 4s, max_cool_down: 4s, retries: 3 }"));
    auto daemon = start_serve(config);
    wait_for(daemon.api, "patient", [](const json& r) { return member_suspended(r); });
    const auto suspensions =
        of_type(test::transcript_records(config, "patient"), "member_suspended");
    ASSERT_EQ(suspensions.size(), 1u);
    const auto scheduled = core::parse_rfc3339(suspensions[0].value("retry_at", ""));
    ASSERT_TRUE(scheduled.has_value()) << suspensions[0].dump();
    const auto retry_at = *scheduled;
    // Killed 3 s into the 4 s cool-down, restarted at once, the provider back meanwhile.
    std::this_thread::sleep_until(time_of(suspensions[0]) + 3s);
    daemon.child->send(SIGKILL);
    daemon.child->wait(10s);
    down = false;
    const auto restarted = std::chrono::system_clock::now();
    auto again = start_serve(config);
    wait_for(again.api, "patient", [](const json& r) { return r.value("state", "") == "ended"; });

    const auto records = test::transcript_records(config, "patient");
    const auto messages = of_type(records, "message");
    ASSERT_FALSE(messages.empty());
    const auto answered = time_of(messages[0]);
    std::cout << "[ measure  ] restarted " << millis(retry_at - restarted).count()
              << " ms before the recorded retry; it came " << millis(answered - retry_at).count()
              << " ms after it\n";
    EXPECT_GE(answered, retry_at - 50ms) << "retried before its cool-down was over";
    EXPECT_LE(answered, retry_at + 1500ms) << "the restart began a new cool-down";
    EXPECT_EQ(messages.size(), 2u);
    EXPECT_EQ(provider.requests().size(), 3u);  // the failed turn, the retry, the last turn
    EXPECT_NE(records.back().value("text", "").find("max_turns"), std::string::npos);
    const auto reinstated = of_type(records, "member_reinstated");
    ASSERT_EQ(reinstated.size(), 1u);
    EXPECT_NE(reinstated[0].value("text", "").find("answered retry 1"), std::string::npos);
    again.child->send(SIGTERM);
    EXPECT_EQ(again.child->wait(20s).exit_code, 0);
}

TEST_F(SuspensionRetry, ARoomThatEndedBecauseItsMembersFailedIsResumedAlsoAfterARestart) {
    const std::string settings = "{ cool_down: 200ms, max_cool_down: 200ms, retries: 1 }";
    const auto config = write_config(room("first", 6, settings) + room("second", 6, settings));
    auto daemon = start_serve(config);
    const auto ended_by_failure = [](const json& r) {
        return r.value("state", "") == "ended" &&
               r.value("end_reason", "").find("no retry left") != std::string::npos;
    };
    wait_for(daemon.api, "first", ended_by_failure);
    wait_for(daemon.api, "second", ended_by_failure);
    EXPECT_EQ(provider.requests().size(), 4u);  // each room: its turn and one retry

    down = false;
    const auto resumed = daemon.api.post("/v1/rooms/first/resume", json::object());
    ASSERT_EQ(resumed.status, 200) << resumed.body;
    EXPECT_EQ(resumed.json()["state"], "running");
    const auto finished = [](const json& r) {
        return r.value("state", "") == "ended" &&
               r.value("end_reason", "").find("max_turns") != std::string::npos;
    };
    wait_for(daemon.api, "first", finished);
    EXPECT_EQ(daemon.api.post("/v1/rooms/first/resume", json::object()).status, 409);
    daemon.child->send(SIGTERM);
    ASSERT_EQ(daemon.child->wait(20s).exit_code, 0);

    auto again = start_serve(config);
    EXPECT_TRUE(ended_by_failure(again.api.get("/v1/rooms/second").json()));
    const auto after_restart = again.api.post("/v1/rooms/second/resume", json::object());
    ASSERT_EQ(after_restart.status, 200) << after_restart.body;
    wait_for(again.api, "second", finished);
    again.child->send(SIGTERM);
    EXPECT_EQ(again.child->wait(20s).exit_code, 0);

    for (const std::string name : {"first", "second"}) {
        const auto records = test::transcript_records(config, name);
        EXPECT_EQ(of_type(records, "message").size(), 4u) << name;
        EXPECT_EQ(of_type(records, "resumed").size(), 1u) << name;
        const auto reinstated = of_type(records, "member_reinstated");
        ASSERT_EQ(reinstated.size(), 1u) << name;
        EXPECT_NE(reinstated[0].value("text", "").find("resumed"), std::string::npos);
        const auto ends = of_type(records, "room_ended");
        ASSERT_EQ(ends.size(), 2u) << name;
        EXPECT_EQ(ends[0].value("failure", ""), "members_failed");
        EXPECT_FALSE(ends[1].contains("failure"));
    }
}

}  // namespace
}  // namespace polylogue
