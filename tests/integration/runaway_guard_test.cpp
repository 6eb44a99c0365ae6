// Runaway guards against the real daemon: loop_guard with each action, and max_ai_streak.

#include <gtest/gtest.h>

#include <signal.h>

#include <string>

#include "managed_daemon.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using test::first_of_type;
using test::is_ai_message;
using test::managed_daemon;
using test::records_of;
using test::repeating_script;

std::string loop_room(const std::string& action) {
    return "  - name: loop\n"
           "    members: [Echo, Parrot]\n"
           "    max_turns: 30\n"
           "    turn_delay: 20ms\n"
           "    loop_guard: { window: 2, similarity: 0.9, action: " +
           action + " }\n";
}

TEST(RunawayGuard, LoopGuardNoticeTellsTheRoomAndItGoesOn) {
    test::temp_dir dir;
    managed_daemon serve{dir, loop_room("notice")};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] {
        const auto records = records_of(api, "loop");
        const auto first = first_of_type(records, "loop_detected");
        return !first.is_null() &&
               !first_of_type(records, "loop_detected", first["seq"].get<std::int64_t>()).is_null();
    })) << records_of(api, "loop").dump(1);
    const auto records = records_of(api, "loop");
    const auto found = first_of_type(records, "loop_detected");
    EXPECT_EQ(found["action"], "notice");
    EXPECT_GE(found["similarity"].get<double>(), 0.9);
    EXPECT_EQ(found["text"],
              "The last 2 messages repeat each other closely (similarity 1.00). Change the subject "
              "or end the conversation.");
    // The first finding came after 4 AI messages: each of the last 2 repeats one before it.
    int before = 0;
    for (const auto& r : records) {
        before += r["seq"] < found["seq"] && is_ai_message(r) ? 1 : 0;
    }
    EXPECT_EQ(before, 4);
    EXPECT_TRUE(first_of_type(records, "paused").is_null());
    serve.stop();
}

TEST(RunawayGuard, TheModelsSeeTheLoopGuardsNoticeInTheirNextRequest) {
    test::fake_server openai;
    openai.on_request([](const test::recorded_request&) {
        return test::fake_response::sse(
            test::openai_stream("Indeed, that is exactly what I was going to say"));
    });
    ::setenv("PL_TEST_FAKE_OPENAI_KEY", "fake-openai-key-0123456789", 1);
    test::temp_dir dir;
    dir.write("echo.yaml",
              repeating_script("I fully agree with everything that was said so far", 100));
    dir.write("serve.yaml", std::string{"data_dir: var\n"} + test::token_control +
                                "providers:\n"
                                "  stage: { kind: scripted }\n"
                                "  router: { kind: openai, base_url: " +
                                openai.base_url() +
                                ", api_key_env: PL_TEST_FAKE_OPENAI_KEY }\n"
                                "models:\n"
                                "  - { name: Echo, provider: stage, script: echo.yaml }\n"
                                "  - { name: GPT 5, provider: router, id: openai/gpt-5 }\n"
                                "rooms:\n"
                                "  - name: loop\n"
                                "    members: [Echo, GPT 5]\n"
                                "    max_turns: 12\n"
                                "    turn_delay: 20ms\n"
                                "    loop_guard: { window: 2, similarity: 0.9, action: notice }\n");
    ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);
    test::child_process child{{test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}};
    ASSERT_NE(test::wait_for_serve_port(dir / "var", 20s), 0);
    const auto notice_seen = [&] {
        for (const auto& request : openai.requests()) {
            const auto body = json::parse(request.body, nullptr, false);
            for (const auto& m : body.value("messages", json::array())) {
                const auto content = m.value("content", json{});
                if (content.is_string() &&
                    content.get<std::string>().find("The last 2 messages repeat each other "
                                                    "closely (similarity 1.00). Change the "
                                                    "subject or end the conversation.") !=
                        std::string::npos) {
                    return true;
                }
            }
        }
        return false;
    };
    EXPECT_TRUE(test::eventually(notice_seen)) << openai.requests().back().body;
    child.send(SIGTERM);
    EXPECT_EQ(child.wait(10s).exit_code, 0);
}

TEST(RunawayGuard, LoopGuardPausePausesTheRoom) {
    test::temp_dir dir;
    managed_daemon serve{dir, loop_room("pause")};
    const auto api = serve.api();
    ASSERT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/loop").json()["state"] == "paused"; }));
    const auto records = records_of(api, "loop");
    const auto found = first_of_type(records, "loop_detected");
    ASSERT_FALSE(found.is_null());
    EXPECT_EQ(found["action"], "pause");
    const auto paused = first_of_type(records, "paused");
    ASSERT_FALSE(paused.is_null());
    EXPECT_EQ(paused["seq"], found["seq"].get<int>() + 1);
    EXPECT_NE(paused["text"].get<std::string>().find("paused by the loop guard"),
              std::string::npos);
    serve.stop();
}

TEST(RunawayGuard, LoopGuardEndEndsTheRoomWithItsReason) {
    test::temp_dir dir;
    managed_daemon serve{dir, loop_room("end")};
    const auto api = serve.api();
    ASSERT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/loop").json()["state"] == "ended"; }));
    const auto room = api.get("/v1/rooms/loop").json();
    EXPECT_NE(room["end_reason"].get<std::string>().find("the loop guard ended the room"),
              std::string::npos)
        << room.dump();
    EXPECT_EQ(room["turns"], 4);
    EXPECT_EQ(first_of_type(records_of(api, "loop"), "loop_detected")["action"], "end");
    serve.stop();
}

TEST(RunawayGuard, MaxAiStreakPausesAndAHumanMessageStartsTheCountAgain) {
    test::temp_dir dir;
    managed_daemon serve{dir,
                         "  - { name: talk, members: [Ada, Babbage], max_turns: 100, "
                         "turn_delay: 250ms, max_ai_streak: 5 }\n"};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/talk").json()["turns"] >= 2; }));
    ASSERT_EQ(
        api.post("/v1/rooms/talk/messages", {{"speaker", "Alice"}, {"text", "Go on!"}}).status,
        201);
    ASSERT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/talk").json()["state"] == "paused"; }));
    const auto records = records_of(api, "talk");
    std::int64_t human_seq = 0;
    for (const auto& r : records) {
        if (r["type"] == "message" && r["speaker"] == "Alice") {
            human_seq = r["seq"];
        }
    }
    ASSERT_GT(human_seq, 0);
    const auto paused = first_of_type(records, "paused");
    int after_human = 0;
    int before_pause = 0;
    for (const auto& r : records) {
        if (is_ai_message(r) && r["seq"] < paused["seq"]) {
            ++before_pause;
            after_human += r["seq"] > human_seq ? 1 : 0;
        }
    }
    EXPECT_EQ(after_human, 5) << records.dump(1);
    EXPECT_GT(before_pause, 5) << "the human's message did not start the count again";
    EXPECT_NE(paused["text"].get<std::string>().find("max_ai_streak 5"), std::string::npos);

    // A resume starts the count again too: 5 more AI messages, then the next pause.
    ASSERT_EQ(api.post("/v1/rooms/talk/resume", json::object()).status, 200);
    ASSERT_TRUE(test::eventually([&] {
        return !first_of_type(records_of(api, "talk"), "paused", paused["seq"].get<std::int64_t>())
                    .is_null();
    }));
    EXPECT_EQ(api.get("/v1/rooms/talk").json()["turns"], before_pause + 5);
    serve.stop();
}

}  // namespace
}  // namespace polylogue
