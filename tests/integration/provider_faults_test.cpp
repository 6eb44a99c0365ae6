// Misbehaving providers: every failure ends in the documented record, and the room goes on.

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::fake_response;
using test::fake_server;

// Answers the first `faults` requests with make_fault(), then a good stream.
test::request_handler faulty(int faults, std::function<fake_response()> make_fault) {
    auto count = std::make_shared<int>(0);
    return [count, faults, make_fault](const test::recorded_request&) {
        return ++*count <= faults ? make_fault()
                                  : fake_response::sse(test::openai_stream("recovered fine"));
    };
}

class ProviderFaults : public ::testing::Test {
  protected:
    fake_server server;
    test::temp_dir dir;

    // first_byte: the header deadline; the oversized-body test needs room to build 33 MiB on a
    // loaded machine without its first attempt timing out instead.
    std::vector<json> run(int max_turns = 2, std::string extra_provider = {}, int suspend_after = 3,
                          std::string first_byte = "1s", std::string extra_room = {}) {
        ::setenv("PL_FAULT_KEY", "sk-fault-0123456789", 1);
        dir.write("script.yaml", "- the scripted member speaks\n- and again\n- and again\n");
        dir.write("faults.yaml",
                  "providers:\n"
                  "  flaky: { kind: openai, base_url: " +
                      server.base_url() +
                      "/v1, api_key_env: PL_FAULT_KEY,\n"
                      "           retry: { attempts: 3, initial_backoff: 20ms, max_wait: 10s },\n"
                      "           timeouts: { first_byte: " +
                      first_byte + ", idle: 5s, total: 30s }" + extra_provider +
                      " }\n"
                      "  stage: { kind: scripted }\n"
                      "models:\n"
                      "  - { name: Flaky, provider: flaky, id: flaky-1 }\n"
                      "  - { name: Steady, provider: stage, script: script.yaml }\n"
                      "rooms:\n"
                      "  - { name: faults, members: [Flaky, Steady], max_turns: " +
                      std::to_string(max_turns) + ", turn_delay: 0s, suspend_after_failures: " +
                      std::to_string(suspend_after) + extra_room + " }\n");
        const auto result = test::polylogue({"run", (dir / "faults.yaml").string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return test::transcript_records(dir / "faults.yaml", "faults");
    }

    static const json& first_of(const std::vector<json>& records, const std::string& type) {
        for (const auto& r : records) {
            if (r["type"] == type) {
                return r;
            }
        }
        static const json none;
        ADD_FAILURE() << "no " << type << " record";
        return none;
    }
};

TEST_F(ProviderFaults, TooManyRequestsWaitsAtLeastRetryAfterThenSucceeds) {
    server.on_request(faulty(1, [] {
        return fake_response::json(429, R"({"error":{"message":"slow down","type":"rate_limit"}})",
                                   {{"retry-after", "1"}});
    }));
    const auto records = run();
    EXPECT_EQ(first_of(records, "message")["text"], "recovered fine");
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_GE(requests[1].received - requests[0].received, 1s);
}

TEST_F(ProviderFaults, OverloadedThenSuccessIsOneMessage) {
    server.on_request(faulty(1, [] {
        return fake_response::json(
            529, R"({"error":{"message":"Overloaded","type":"overloaded_error"}})");
    }));
    EXPECT_EQ(first_of(run(), "message")["speaker"], "AI-1");
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(ProviderFaults, ServerErrorThenSuccessIsOneMessage) {
    server.on_request(
        faulty(1, [] { return fake_response::json(500, R"({"error":{"message":"boom"}})"); }));
    const auto records = run();
    EXPECT_EQ(first_of(records, "message")["text"], "recovered fine");
    EXPECT_EQ(test::ai_speakers(records), (std::vector<std::string>{"AI-1", "AI-2"}));
}

TEST_F(ProviderFaults, ConnectionResetMidStreamIsRetried) {
    server.on_request(faulty(1, [] {
        auto r = fake_response::sse(test::openai_stream("this answer breaks off somewhere"));
        r.chunks.resize(2);
        r.cut_after_chunks = true;
        return r;
    }));
    const auto records = run();
    EXPECT_EQ(first_of(records, "message")["text"], "recovered fine");
}

TEST_F(ProviderFaults, MalformedJsonInTheStreamIsRetriedNeverPasted) {
    server.on_request(faulty(1, [] {
        return fake_response::sse({"data: {\"choices\": [oops\n\n", "data: [DONE]\n\n"});
    }));
    const auto records = run();
    EXPECT_EQ(first_of(records, "message")["text"], "recovered fine");
}

TEST_F(ProviderFaults, HeadersSlowerThanTheDeadlineAreRetried) {
    server.on_request(faulty(1, [] {
        auto r = fake_response::sse(test::openai_stream("too late"));
        r.header_delay = 1500ms;
        return r;
    }));
    const auto records = run();
    EXPECT_EQ(first_of(records, "message")["text"], "recovered fine");
}

TEST_F(ProviderFaults, OversizedBodyIsAFinalTurnFailure) {
    // Built once: making 33 MiB per request would itself be slower than the header deadline.
    const auto huge = std::make_shared<const fake_response>(
        fake_response::sse({"data: " + std::string(33 * 1024 * 1024, 'x'), "\n\n"}));
    server.on_request([huge](const test::recorded_request&) { return *huge; });
    const auto records = run(2, {}, 3, "20s");
    const auto& failed = first_of(records, "turn_failed");
    EXPECT_EQ(failed["speaker"], "AI-1");
    EXPECT_EQ(failed["attempts"], 1) << failed.dump();
    EXPECT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(test::ai_speakers(records), (std::vector<std::string>{"AI-2"}));
}

TEST_F(ProviderFaults, UnauthorizedIsNotRetriedAndTheRoomGoesOn) {
    server.on_request([](const test::recorded_request&) {
        return fake_response::json(
            401,
            R"({"error":{"message":"Incorrect API key provided: sk-faul***6789","type":"invalid_request_error","code":"invalid_api_key"}})");
    });
    const auto records = run();
    const auto& failed = first_of(records, "turn_failed");
    EXPECT_EQ(failed["http_status"], 401);
    EXPECT_EQ(failed["failure"], "authentication");
    EXPECT_EQ(failed["attempts"], 1);
    EXPECT_EQ(failed["detail"].get<std::string>().find("sk-faul"), std::string::npos);
    EXPECT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(test::ai_speakers(records), (std::vector<std::string>{"AI-2"}));
    const auto text = test::polylogue({"transcript", (dir / "faults.yaml").string(), "faults"});
    EXPECT_NE(text.out.find("AI-1 (Flaky) could not answer"), std::string::npos) << text.out;
}

TEST_F(ProviderFaults, RepeatedFailuresSuspendTheMember) {
    server.on_request([](const test::recorded_request&) {
        return fake_response::json(400, R"({"error":{"message":"bad model"}})");
    });
    // No retries: suspended for good (suspension_retry_test.cpp has the retries).
    const auto records = run(6, {}, 2, "1s", ", suspension: { retries: 0 }");
    const auto& suspended = first_of(records, "member_suspended");
    EXPECT_EQ(suspended["speaker"], "AI-1");
    EXPECT_FALSE(suspended.contains("retry_at"));
    EXPECT_EQ(server.requests().size(), 2u);
    EXPECT_EQ(records.back()["type"], "room_ended");
    EXPECT_EQ(records.back()["failure"], "members_failed");
}

TEST_F(ProviderFaults, ExhaustedRetriesEndInATurnFailedRecord) {
    server.on_request([](const test::recorded_request&) {
        return fake_response::json(503, "<html>unavailable</html>");
    });
    const auto records = run();
    const auto& failed = first_of(records, "turn_failed");
    EXPECT_EQ(failed["attempts"], 3);
    EXPECT_EQ(failed["failure"], "retriable");
    EXPECT_EQ(failed["http_status"], 503);
    EXPECT_EQ(server.requests().size(), 3u);
}

}  // namespace
}  // namespace polylogue
