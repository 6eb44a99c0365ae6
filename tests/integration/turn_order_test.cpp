// Turn orders against the real daemon: natural rooms follow the addresses in their scripted
// replies, a selector model (a fake OpenAI server) chooses who speaks or is overruled by the
// natural order on record, and POST /v1/rooms/ROOM/next gives the next turn to a member.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/polylogue_cli.hpp"
#include "support/process.hpp"
#include "support/provider_streams.hpp"
#include "support/temp_dir.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using test::fake_response;
using test::fake_server;
using namespace std::chrono_literals;

std::string always(const std::string& reply, int count) {
    std::string script;
    for (int i = 0; i < count; ++i) {
        script += "- \"" + reply + "\"\n";
    }
    return script;
}

// Ada speaks to Curie (and only quotes AI-2 in code), Curie to Babbage, Babbage to Ada.
void write_scripts(const test::temp_dir& dir) {
    dir.write("ada.yaml", always("What does Curie think? Not `AI-2`, for once.", 20));
    dir.write("babbage.yaml", always("Ada, over to you.", 20));
    dir.write("curie.yaml", always("I defer to @AI-2.", 20));
}

std::string config_with(const std::string& providers, const std::string& extra_models,
                        const std::string& room) {
    return "data_dir: var\nproviders:\n  stage: { kind: scripted }\n" + providers +
           "models:\n"
           "  - { name: Ada, provider: stage, script: ada.yaml }\n"
           "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
           "  - { name: Curie, provider: stage, script: curie.yaml }\n" +
           extra_models + "rooms:\n" + room;
}

using test::of_type;

TEST(NaturalRoom, TheScriptedRepliesAddressingEachOtherDecideWhoSpeaks) {
    test::temp_dir dir;
    write_scripts(dir);
    dir.write(
        "natural.yaml",
        config_with({}, {},
                    "  - { name: salon, members: [Ada, Babbage, Curie], max_turns: 7,\n"
                    "      turn_delay: 0s, turn_order: natural,\n"
                    "      opening: { speaker: Host, text: \"Babbage, start us off.\" } }\n"));
    const auto run = test::polylogue({"run", (dir / "natural.yaml").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto records = test::transcript_records(dir / "natural.yaml", "salon");
    EXPECT_EQ(test::ai_speakers(records),
              (std::vector<std::string>{"AI-2", "AI-1", "AI-3", "AI-2", "AI-1", "AI-3", "AI-2"}));
}

std::vector<std::string> random_run(const test::temp_dir& dir) {
    write_scripts(dir);
    dir.write("random.yaml",
              config_with({}, {},
                          "  - { name: dice, members: [Ada, Babbage, Curie], max_turns: 12,\n"
                          "      turn_delay: 0s, turn_order: random }\n"));
    const auto run = test::polylogue({"run", (dir / "random.yaml").string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return test::ai_speakers(test::transcript_records(dir / "random.yaml", "dice"));
}

TEST(RandomRoom, EachMemberSpeaksOncePerRoundAndTheSameRoomDrawsTheSameOrder) {
    test::temp_dir first;
    const auto speakers = random_run(first);
    ASSERT_EQ(speakers.size(), 12u);
    std::set<std::vector<std::string>> orders;
    for (std::size_t round = 0; round < 4; ++round) {
        std::vector<std::string> taken(speakers.begin() + static_cast<long>(round * 3),
                                       speakers.begin() + static_cast<long>(round * 3 + 3));
        orders.insert(taken);
        std::sort(taken.begin(), taken.end());
        EXPECT_EQ(taken, (std::vector<std::string>{"AI-1", "AI-2", "AI-3"})) << round;
    }
    EXPECT_GT(orders.size(), 1u) << "every round in the same order";
    test::temp_dir second;
    EXPECT_EQ(random_run(second), speakers);
}

class SelectorRoom : public ::testing::Test {
  protected:
    fake_server judge;
    test::temp_dir dir;

    std::vector<json> run_with_answer(const std::string& answer) {
        judge.on_request([answer](const test::recorded_request&) {
            return fake_response::sse(test::openai_stream(answer, 1000, 10));
        });
        return run();
    }

    std::vector<json> run(const std::string& limits = "max_turns: 3") {
        write_scripts(dir);
        dir.write(
            "selector.yaml",
            config_with("  api: { kind: openai, base_url: " + judge.base_url() + "/v1 }\n",
                        "  - { name: Judge, provider: api, id: judge-1, max_tokens: 50,\n"
                        "      price: { input_per_mtok: 10, output_per_mtok: 10 } }\n",
                        "  - { name: court, members: [Ada, Babbage, Curie], " + limits +
                            ",\n      turn_delay: 0s, turn_order: selector, selector: Judge }\n"));
        const auto run = test::polylogue({"run", (dir / "selector.yaml").string()});
        EXPECT_EQ(run.exit_code, 0) << run.err;
        return test::transcript_records(dir / "selector.yaml", "court");
    }
};

TEST_F(SelectorRoom, TheSelectorsChoiceSpeaksAndItsCallIsPaidFor) {
    const auto records = run_with_answer("AI-3");
    EXPECT_EQ(test::ai_speakers(records), (std::vector<std::string>{"AI-3", "AI-3", "AI-3"}));
    const auto chosen = of_type(records, "next_speaker");
    ASSERT_EQ(chosen.size(), 3u);
    for (const auto& r : chosen) {
        EXPECT_EQ(r["chosen_by"], "selector");
        EXPECT_EQ(r["speaker"], "AI-3");
        EXPECT_EQ(r["text"], "The selector (Judge) chose AI-3 (Curie)");
        EXPECT_NEAR(r["cost_usd"].get<double>(), 0.0101, 1e-9);  // 1010 tokens at $10/M
    }
    ASSERT_EQ(judge.requests().size(), 3u);
    const std::string body = judge.requests().front().body;
    EXPECT_NE(body.find("Candidates: AI-1 (Ada), AI-2 (Babbage), AI-3 (Curie)."), std::string::npos)
        << body;
    // The second request shows the first turn's reply.
    EXPECT_NE(judge.requests()[1].body.find("[AI-3 (Curie)]: I defer to @AI-2."), std::string::npos)
        << judge.requests()[1].body;
}

TEST_F(SelectorRoom, AnAnswerNamingNobodyFallsBackToTheNaturalOrderOnRecord) {
    const auto records = run_with_answer("I like turtles");
    const auto chosen = of_type(records, "next_speaker");
    ASSERT_EQ(chosen.size(), 3u);
    for (const auto& r : chosen) {
        EXPECT_EQ(r["chosen_by"], "natural");
        EXPECT_NE(r["detail"].get<std::string>().find("\"I like turtles\""), std::string::npos)
            << r.dump();
    }
    // Natural from the second turn on: Curie addresses AI-2, Babbage then Ada.
    const auto speakers = test::ai_speakers(records);
    ASSERT_EQ(speakers.size(), 3u);
    EXPECT_EQ(chosen[1]["speaker"], speakers[0] == "AI-3"   ? "AI-2"
                                    : speakers[0] == "AI-2" ? "AI-1"
                                                            : "AI-3");
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(chosen[i]["speaker"], speakers[i]);
    }
}

TEST_F(SelectorRoom, TheSelectorsSpendingCountsTowardsMaxCostUsd) {
    judge.on_request([](const test::recorded_request&) {
        return fake_response::sse(test::openai_stream("AI-1", 1000, 10));  // $0.0101 a call
    });
    const auto records = run("max_turns: 10, max_cost_usd: 0.025");
    EXPECT_EQ(test::ai_speakers(records), (std::vector<std::string>{"AI-1", "AI-1"}));
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.back()["type"], "room_ended");
    const std::string reason = records.back()["text"];
    EXPECT_TRUE(reason.starts_with("reached max_cost_usd ($0.0303 spent")) << reason;
}

TEST_F(SelectorRoom, AFailedCallFallsBackToTheNaturalOrderOnRecord) {
    judge.on_request([](const test::recorded_request&) {
        return fake_response::json(
            400,
            R"({"error": {"message": "model judge-1 is retired", "type": "invalid_request"}})");
    });
    const auto records = run();
    EXPECT_EQ(test::ai_speakers(records).size(), 3u);
    const auto chosen = of_type(records, "next_speaker");
    ASSERT_EQ(chosen.size(), 3u);
    for (const auto& r : chosen) {
        EXPECT_EQ(r["chosen_by"], "natural");
        const std::string detail = r["detail"];
        EXPECT_TRUE(detail.starts_with("the selector's call failed: ")) << detail;
        EXPECT_NE(detail.find("model judge-1 is retired"), std::string::npos) << detail;
    }
}

class NextSpeaker : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::unique_ptr<test::serve_process> serve;

    void TearDown() override {
        if (serve) {
            serve->signal(SIGTERM);
            EXPECT_EQ(serve->wait(10s).exit_code, 0);
        }
    }
};

TEST_F(NextSpeaker, APostedSpeakerTakesTheNextTurnOnceAndItIsRecorded) {
    serve = std::make_unique<test::serve_process>(
        dir,
        "  - { name: alpha, members: [Ada, Babbage, Curie], max_turns: 60, "
        "turn_delay: 400ms }\n");
    ASSERT_NE(serve->port(), 0);
    const auto api = serve->api();
    json records;
    const auto transcript = [&] {
        records = api.get("/v1/rooms/alpha/transcript").json()["records"];
        return records;
    };
    ASSERT_TRUE(test::eventually([&] {
        const auto r = transcript();
        return std::any_of(r.begin(), r.end(), [](const json& x) {
            return x["type"] == "message" && x["speaker"] == "AI-1";
        });
    }));
    const auto chosen = api.post("/v1/rooms/alpha/next", {{"speaker", "AI-3"}, {"by", "Grace"}});
    ASSERT_EQ(chosen.status, 201) << chosen.body;
    const std::int64_t seq = chosen.json()["seq"];
    std::vector<json> after;
    ASSERT_TRUE(test::eventually([&] {
        after.clear();
        for (const auto& r : transcript()) {
            if (r["seq"].get<std::int64_t>() >= seq) {
                after.push_back(r);
            }
        }
        return of_type(after, "message").size() >= 2;
    })) << records.dump();
    EXPECT_EQ(after[0]["type"], "next_speaker");
    EXPECT_EQ(after[0]["speaker"], "AI-3");
    EXPECT_EQ(after[0]["chosen_by"], "operator Grace");
    const auto spoke = of_type(after, "message");
    EXPECT_EQ(spoke[0]["speaker"], "AI-3");
    EXPECT_EQ(spoke[1]["speaker"], "AI-1");  // once: round robin goes on after AI-3
}

TEST_F(NextSpeaker, UnknownMembersAndMalformedBodiesAreRefused) {
    serve = std::make_unique<test::serve_process>(
        dir, "  - { name: alpha, members: [Ada, Babbage], max_turns: 60, turn_delay: 200ms }\n");
    ASSERT_NE(serve->port(), 0);
    const auto api = serve->api();
    // AI-2 is a member once its join is committed; until then it is as unknown as AI-3.
    ASSERT_TRUE(test::eventually([&] {
        const auto room = api.get("/v1/rooms/alpha").json();
        const auto members = room.find("members");
        return members != room.end() && members->is_array() && members->size() == 2;
    }));
    const auto absent = api.post("/v1/rooms/alpha/next", {{"speaker", "AI-3"}});
    EXPECT_EQ(absent.status, 422) << absent.body;
    EXPECT_EQ(absent.json()["error"]["code"], "unknown_member");
    EXPECT_EQ(api.post("/v1/rooms/alpha/next", {{"speaker", "Ada"}}).status, 400);
    EXPECT_EQ(api.post("/v1/rooms/alpha/next", {{"speaker", "AI-1"}, {"by", "AI-2"}}).status, 400);
    EXPECT_EQ(api.post("/v1/rooms/nowhere/next", {{"speaker", "AI-1"}}).status, 404);
    const auto fine = api.post("/v1/rooms/alpha/next", {{"speaker", "AI-2"}});
    EXPECT_EQ(fine.status, 201) << fine.body;
    EXPECT_TRUE(fine.json()["seq"].is_number_integer());
}

// Curie has one reply: once it is spent, Curie cannot be chosen.
TEST(NextSpeakerRefusal, AMemberOutOfRepliesCannotBeChosen) {
    test::temp_dir dir;
    write_scripts(dir);
    dir.write("curie.yaml", always("My only line.", 1));
    dir.write("serve.yaml",
              "control: { listen: 127.0.0.1:0, token_env: PL_TEST_CONTROL_TOKEN }\n" +
                  config_with({}, {},
                              "  - { name: alpha, members: [Ada, Babbage, Curie], max_turns: 200,"
                              " turn_delay: 100ms }\n"));
    ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);
    test::child_process serve{{test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}};
    const auto port = test::wait_for_serve_port(dir / "var", 20s);
    ASSERT_NE(port, 0);
    const test::api_client api{port, test::control_token};
    ASSERT_TRUE(test::eventually([&] {
        // The room may not be listed yet: look before indexing a const document.
        const auto room = api.get("/v1/rooms/alpha").json();
        const auto members = room.find("members");
        return members != room.end() && members->is_array() && members->size() == 3 &&
               (*members)[2].value("exhausted", false);
    }));
    const auto refused = api.post("/v1/rooms/alpha/next", {{"speaker", "AI-3"}});
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.json()["error"]["code"], "cannot_speak");
    serve.send(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

}  // namespace
}  // namespace polylogue
