// `polylogue run` against a provider that answers with what an attacker or a broken proxy
// would send: an error echoing a key 30,000 characters long, connections dropped once the
// request is in. The process lives, the room records the failure and goes on, and every
// request that reached the provider is an attempt on record.

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/faulty_provider.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fault;

class HostileProvider : public ::testing::Test {
  protected:
    test::temp_dir dir;

    struct process_run {
        test::process_result process;
        std::vector<json> records;
    };

    // Flaky (the faulty provider, OpenAI kind) and Steady (scripted) take turns.
    process_run run(const test::faulty_provider& provider, int max_turns) {
        ::setenv("PL_HOSTILE_KEY", "sk-hostile-0123456789abcdef", 1);
        dir.write("script.yaml", "- steady one\n- steady two\n- steady three\n");
        dir.write("hostile.yaml",
                  "providers:\n"
                  "  flaky: { kind: openai, base_url: " +
                      provider.base_url() +
                      "/v1, api_key_env: PL_HOSTILE_KEY,\n"
                      "           retry: { attempts: 3, initial_backoff: 10ms, max_wait: 10s },\n"
                      "           timeouts: { first_byte: 5s, idle: 5s, total: 30s } }\n"
                      "  stage: { kind: scripted }\n"
                      "models:\n"
                      "  - { name: Flaky, provider: flaky, id: flaky-1 }\n"
                      "  - { name: Steady, provider: stage, script: script.yaml }\n"
                      "rooms:\n"
                      "  - { name: hostile, members: [Flaky, Steady], max_turns: " +
                      std::to_string(max_turns) +
                      ", turn_delay: 0s, suspend_after_failures: 5 }\n");
        process_run out;
        out.process = test::polylogue({"run", (dir / "hostile.yaml").string()});
        out.records = test::transcript_records(dir / "hostile.yaml", "hostile");
        return out;
    }

    static std::vector<json> of_type(const std::vector<json>& records, const std::string& type) {
        std::vector<json> out;
        for (const auto& r : records) {
            if (r["type"] == type) {
                out.push_back(r);
            }
        }
        return out;
    }
};

// Issue 10: std::regex recursed once per character of such a run until the stack overflowed;
// the failed turn was never committed, so every restart asked again and died again.
TEST_F(HostileProvider, AnErrorEchoingAThirtyThousandCharacterKeyIsATurnFailedNotACrash) {
    test::fault_deck deck;
    deck.sequence = {fault::key_echo};
    test::faulty_provider provider{test::api_kind::openai, deck, 1};
    const auto out = run(provider, 4);
    EXPECT_EQ(out.process.signal, 0) << "killed by signal " << out.process.signal;
    ASSERT_EQ(out.process.exit_code, 0) << out.process.err.substr(0, 2000);
    const auto failed = of_type(out.records, "turn_failed");
    ASSERT_EQ(failed.size(), 2u);
    for (const auto& record : failed) {
        EXPECT_EQ(record["http_status"], 400);
        EXPECT_EQ(record["failure"], "final");
        EXPECT_EQ(record["attempts"], 1);
        const auto detail = record["detail"].get<std::string>();
        EXPECT_EQ(detail.find("sk-"), std::string::npos) << detail.substr(0, 200);
        EXPECT_NE(detail.find("[redacted]"), std::string::npos) << detail.substr(0, 200);
        EXPECT_LT(detail.size(), 300u);
    }
    EXPECT_EQ(of_type(out.records, "message").size(), 2u) << "Steady spoke on";
    EXPECT_EQ(out.records.back()["type"], "room_ended");
    EXPECT_EQ(provider.requests(), 2u);
}

// Issue 10: a request dropped on a kept-alive connection was sent again by the HTTP client
// without the provider counting it: 14 requests reached the provider for 9 attempts on record.
TEST_F(HostileProvider, EveryRequestThatReachedTheProviderIsAnAttemptOnRecord) {
    test::fault_deck deck;
    // Turn 1 leaves a kept-alive connection; every try of turn 3 is dropped, the first on it.
    deck.sequence = {fault::none,
                     fault::dropped_request,
                     fault::dropped_request,
                     fault::dropped_request,
                     fault::dropped_request,
                     fault::dropped_request,
                     fault::dropped_request};
    test::faulty_provider provider{test::api_kind::openai, deck, 1};
    const auto out = run(provider, 4);
    ASSERT_EQ(out.process.exit_code, 0) << out.process.err.substr(0, 2000);
    const auto failed = of_type(out.records, "turn_failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0]["attempts"], 3);
    const auto ledger = provider.ledger();
    ASSERT_EQ(ledger.size(), 2u) << "two turns of Flaky";
    EXPECT_EQ(ledger[0].tries, std::vector<fault>{fault::none});
    EXPECT_EQ(ledger[1].tries.size(), 3u) << "requests the provider got for the failed turn";
    EXPECT_EQ(provider.requests(), 1u + failed[0]["attempts"].get<std::size_t>());
}

}  // namespace
}  // namespace polylogue
