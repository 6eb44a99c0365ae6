// turn_order parallel and invitee_history since_join, run by the real binary: `polylogue run`
// against a fake OpenAI-compatible provider on 127.0.0.1 that delays its answers, and
// `polylogue serve` with scripted members.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;
using namespace std::chrono_literals;

constexpr auto answer_delay = 1500ms;

// Each model id answers from its own list, one reply per request, after a delay of its own.
struct model_answers {
    std::vector<std::string> replies;  // the last one repeats
    std::chrono::milliseconds delay{0};
};

void answer_by_model(fake_server& server, std::map<std::string, model_answers> answers) {
    auto served = std::make_shared<std::map<std::string, std::size_t>>();
    auto lock = std::make_shared<std::mutex>();
    server.on_request([answers, served, lock](const test::recorded_request& request) {
        const std::string model = json::parse(request.body)["model"];
        const model_answers& mine = answers.at(model);
        std::size_t n = 0;
        {
            std::lock_guard guard{*lock};
            n = (*served)[model]++;
        }
        fake_response response = fake_response::sse(
            test::openai_stream(mine.replies[std::min(n, mine.replies.size() - 1)]));
        response.header_delay = mine.delay;
        return response;
    });
}

std::string network_config(const fake_server& server, const std::string& models,
                           const std::string& room) {
    return "data_dir: var\n"
           "providers:\n"
           "  router: { kind: openai, base_url: " +
           server.base_url() +
           "/v1, api_key_env: PL_TEST_OPENAI_KEY }\n"
           "  stage: { kind: scripted }\n"
           "models:\n" +
           models + "rooms:\n" + room;
}

constexpr const char* three_models =
    "  - { name: Alpha, provider: router, id: alpha, max_tokens: 100 }\n"
    "  - { name: Beta, provider: router, id: beta, max_tokens: 100 }\n"
    "  - { name: Gamma, provider: router, id: gamma, max_tokens: 100 }\n";

std::string reply_of(const std::string& model, int round) {
    return "reply-" + model + "-" + std::to_string(round) + " from " + model;
}

std::vector<std::string> message_texts(const std::vector<json>& records) {
    std::vector<std::string> texts;
    for (const auto& r : records) {
        if (r["type"] == "message" && r["speaker"].get<std::string>().starts_with("AI-")) {
            texts.push_back(r["text"]);
        }
    }
    return texts;
}

class ParallelRoom : public ::testing::Test {
  protected:
    fake_server server;
    test::temp_dir dir;

    void SetUp() override { ::setenv("PL_TEST_OPENAI_KEY", "sk-test-parallel-0123456789", 1); }

    std::vector<json> run(const std::string& models, const std::string& room) {
        dir.write("room.yaml", network_config(server, models, room));
        const auto ran = test::polylogue({"run", (dir / "room.yaml").string()});
        EXPECT_EQ(ran.exit_code, 0) << ran.err;
        chat_out = ran.out;
        return test::transcript_records(dir / "room.yaml", "table");
    }

    std::string chat_out;
};

TEST_F(ParallelRoom, ARoundsRequestsAreInFlightTogetherAndItsRepliesCommitInSlotOrder) {
    std::map<std::string, model_answers> answers;
    for (const std::string model : {"alpha", "beta", "gamma"}) {
        answers[model] = {{reply_of(model, 1), reply_of(model, 2)}, answer_delay};
    }
    answer_by_model(server, answers);
    const auto records = run(three_models,
                             "  - { name: table, members: [Alpha, Beta, Gamma], turn_order: "
                             "parallel,\n      max_turns: 6, turn_delay: 0s,\n"
                             "      opening: { speaker: janus, text: hello models } }\n");

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 6u);
    std::sort(requests.begin(), requests.end(),
              [](const auto& a, const auto& b) { return a.received < b.received; });
    for (std::size_t round = 0; round < 2; ++round) {
        const auto& first = requests[round * 3];
        const auto& last = requests[round * 3 + 2];
        // The first answer of the round goes out answer_delay after its request: every request
        // of the round came before it, so all three were in flight together.
        EXPECT_LT(last.received - first.received, answer_delay) << "round " << round + 1;
        std::cout << "[ measure  ] round " << round + 1 << ": its 3 requests arrived within "
                  << std::chrono::duration_cast<std::chrono::microseconds>(last.received -
                                                                           first.received)
                         .count()
                  << " us (each answer waits " << answer_delay.count() << " ms)\n";
        std::set<std::string> models;
        for (std::size_t i = round * 3; i < round * 3 + 3; ++i) {
            const std::string model = json::parse(requests[i].body)["model"];
            models.insert(model);
            for (const std::string other : {"alpha", "beta", "gamma"}) {
                const bool seen = requests[i].body.find(reply_of(other, 1)) != std::string::npos;
                // Nobody sees a reply of its own round; round 2 sees every reply of round 1.
                EXPECT_EQ(seen, round == 1) << model << " round " << round + 1 << " / " << other;
                EXPECT_EQ(requests[i].body.find(reply_of(other, 2)), std::string::npos);
            }
        }
        EXPECT_EQ(models.size(), 3u) << "each member asked once per round";
    }
    EXPECT_EQ(test::ai_speakers(records),
              (std::vector<std::string>{"AI-1", "AI-2", "AI-3", "AI-1", "AI-2", "AI-3"}));
    EXPECT_EQ(message_texts(records),
              (std::vector<std::string>{reply_of("alpha", 1), reply_of("beta", 1),
                                        reply_of("gamma", 1), reply_of("alpha", 2),
                                        reply_of("beta", 2), reply_of("gamma", 2)}));
    EXPECT_EQ(records.back()["text"], "reached max_turns (6 AI turns)");
    // The chat log shows each reply once, whole, although the three streamed at once.
    for (const std::string model : {"alpha", "beta", "gamma"}) {
        const std::string reply = reply_of(model, 1);
        const auto at = chat_out.find(reply);
        ASSERT_NE(at, std::string::npos) << chat_out;
        EXPECT_EQ(chat_out.find(reply, at + 1), std::string::npos) << chat_out;
    }
}

TEST_F(ParallelRoom, CommandsRunInSlotOrderEvenWhenTheLowerSlotAnswersLast) {
    // One seat is left and both members claim it; AI-1 answers well after AI-2.
    answer_by_model(server, {{"alpha", {{"I invite !add_ai \"Delta\" \"from alpha\""}, 1200ms}},
                             {"beta", {{"I invite !add_ai \"Epsilon\" \"from beta\""}, 0ms}}});
    dir.write("delta.yaml", test::script_of("Delta", 5));
    dir.write("epsilon.yaml", test::script_of("Epsilon", 5));
    const auto records =
        run(std::string{three_models} +
                "  - { name: Delta, provider: stage, script: delta.yaml }\n"
                "  - { name: Epsilon, provider: stage, script: epsilon.yaml }\n",
            "  - { name: table, members: [Alpha, Beta], max_ais: 3, turn_order: parallel,\n"
            "      max_turns: 2, turn_delay: 0s }\n");
    std::vector<std::string> order;
    for (const auto& r : records) {
        if (r["type"] == "message" || r["type"] == "command" || r["type"] == "join") {
            order.push_back(r["type"].get<std::string>() + " " + r["speaker"].get<std::string>());
        }
        if (r["type"] == "join" && r["speaker"] == "AI-3") {
            EXPECT_EQ(r["model"], "Delta");
            EXPECT_EQ(r["invited_by"], "AI-1");
        }
        if (r["type"] == "command" && r["speaker"] == "AI-2") {
            EXPECT_NE(r["detail"].get<std::string>().find("maximum of 3 AIs"), std::string::npos)
                << r.dump();
        }
    }
    EXPECT_EQ(order,
              (std::vector<std::string>{"join AI-1", "join AI-2", "message AI-1", "command AI-1",
                                        "join AI-3", "message AI-2", "command AI-2"}));
}

TEST_F(ParallelRoom, ARoundWhoseWorstCasesTogetherPassMaxCostUsdIsNeverSent) {
    answer_by_model(server, {{"alpha", {{"a"}, 0ms}}, {"beta", {{"b"}, 0ms}}});
    // Each member may write 10,000 tokens at $10 per million ($0.10): one fits in $0.15, the
    // round of two does not.
    const auto records =
        run("  - { name: Alpha, provider: router, id: alpha, max_tokens: 10000,\n"
            "      price: { input_per_mtok: 10, output_per_mtok: 10 } }\n"
            "  - { name: Beta, provider: router, id: beta, max_tokens: 10000,\n"
            "      price: { input_per_mtok: 10, output_per_mtok: 10 } }\n",
            "  - { name: table, members: [Alpha, Beta], turn_order: parallel, max_turns: 4,\n"
            "      turn_delay: 0s, max_cost_usd: 0.15 }\n");
    EXPECT_TRUE(server.requests().empty());
    ASSERT_FALSE(records.empty());
    const std::string reason = records.back()["text"];
    EXPECT_EQ(records.back()["type"], "room_ended");
    EXPECT_EQ(reason.rfind("the next turn would not fit in max_cost_usd: the round of AI-1 "
                           "(Alpha), AI-2 (Beta) could spend up to $0.2",
                           0),
              0u)
        << reason;
}

// AI-2 invites Beta after AI-1 has spoken; Beta's first request shows what since_join hides.
class InviteeHistoryRoom : public ParallelRoom {
  protected:
    std::string invitee_request(const std::string& history) {
        answer_by_model(server, {{"alpha", {{"early words from alpha"}, 0ms}},
                                 {"gamma", {{"join us !add_ai \"Beta\" \"welcome Beta\""}, 0ms}},
                                 {"beta", {{"beta is here"}, 0ms}}});
        const auto records = run(three_models,
                                 "  - { name: table, members: [Alpha, Gamma], max_turns: 3, "
                                 "turn_delay: 0s,\n      invitee_history: " +
                                     history +
                                     ",\n      opening: { speaker: janus, text: hello "
                                     "models } }\n");
        EXPECT_EQ(test::ai_speakers(records), (std::vector<std::string>{"AI-1", "AI-2", "AI-3"}));
        for (const auto& request : server.requests()) {
            if (json::parse(request.body)["model"] == "beta") {
                return request.body;
            }
        }
        ADD_FAILURE() << "Beta was never asked";
        return {};
    }
};

TEST_F(InviteeHistoryRoom, SinceJoinHidesWhatCameBeforeTheInviteeJoined) {
    const std::string body = invitee_request("since_join");
    EXPECT_EQ(body.find("early words from alpha"), std::string::npos) << body;
    EXPECT_EQ(body.find("join us"), std::string::npos) << body;
    EXPECT_NE(body.find("hello models"), std::string::npos) << "the opening stays";
    EXPECT_NE(body.find("welcome Beta"), std::string::npos) << "the invite stays";
}

TEST_F(InviteeHistoryRoom, FullShowsTheInviteeTheWholeRoom) {
    const std::string body = invitee_request("full");
    EXPECT_NE(body.find("early words from alpha"), std::string::npos) << body;
    EXPECT_NE(body.find("join us"), std::string::npos) << body;
}

TEST(ParallelServe, AScriptedParallelRoomRunsToMaxTurnsInSlotOrder) {
    test::temp_dir dir;
    test::serve_process serve{dir,
                              "  - { name: trio, members: [Ada, Babbage, Curie], turn_order: "
                              "parallel, max_turns: 7, turn_delay: 0s }\n"};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();
    ASSERT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/trio").json()["state"] == "ended"; }));
    const json records = api.get("/v1/rooms/trio/transcript").json()["records"];
    std::vector<std::string> said;
    for (const auto& r : records) {
        if (r["type"] == "message") {
            said.push_back(r["speaker"].get<std::string>() + ": " + r["text"].get<std::string>());
        }
    }
    EXPECT_EQ(said, (std::vector<std::string>{"AI-1: Ada says 1", "AI-2: Babbage says 1",
                                              "AI-3: Curie says 1", "AI-1: Ada says 2",
                                              "AI-2: Babbage says 2", "AI-3: Curie says 2",
                                              "AI-1: Ada says 3"}));
    EXPECT_EQ(records.back()["type"], "room_ended");
    EXPECT_EQ(records.back()["text"], "reached max_turns (7 AI turns)");
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

TEST(ParallelServe, TailShowsEachReplyOfAParallelRoundOnceAndWhole) {
    test::temp_dir dir;
    test::serve_process serve{dir,
                              "  - { name: trio, members: [Ada, Babbage, Curie], turn_order: "
                              "parallel, max_turns: 15, turn_delay: 400ms }\n"};
    ASSERT_NE(serve.port(), 0);
    // Connected while the room runs: the later rounds' replies stream to it live.
    const auto tail = test::polylogue({"tail", serve.config().string(), "trio"}, {}, 30s);
    EXPECT_EQ(tail.exit_code, 0) << tail.err;
    for (const std::string name : {"Ada", "Babbage", "Curie"}) {
        for (int n = 1; n <= 5; ++n) {
            const std::string line = name + " says " + std::to_string(n);
            const auto at = tail.out.find(line);
            ASSERT_NE(at, std::string::npos) << line << " in:\n" << tail.out;
            EXPECT_EQ(tail.out.find(line, at + 1), std::string::npos) << line << " in:\n"
                                                                      << tail.out;
        }
    }
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

}  // namespace
}  // namespace polylogue
