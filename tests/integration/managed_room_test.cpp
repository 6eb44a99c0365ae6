// Runaway guards and rooms managed while they run, against the real daemon: loop_guard,
// max_ai_streak, PATCH /v1/rooms/ROOM, taking a member out, and archiving (DELETE).

#include <gtest/gtest.h>

#include <signal.h>

#include <memory>
#include <string>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// count copies of one reply: a member that repeats itself.
std::string repeating_script(const std::string& text, int count) {
    std::string script;
    for (int i = 0; i < count; ++i) {
        script += "- \"" + text + "\"\n";
    }
    return script;
}

// `polylogue serve` on scripted members: Ada, Babbage, Curie say "NAME says n"; Echo and Parrot
// say the same thing every time; Host says something new each time and invites Curie.
class managed_daemon {
  public:
    managed_daemon(const test::temp_dir& dir, const std::string& rooms_yaml) : dir_{&dir} {
        dir.write("ada.yaml", test::script_of("Ada", 300));
        dir.write("babbage.yaml", test::script_of("Babbage", 300));
        dir.write("curie.yaml", test::script_of("Curie", 300));
        dir.write("echo.yaml",
                  repeating_script("I fully agree with everything that was said so far", 300));
        dir.write("parrot.yaml",
                  repeating_script("Indeed, that is exactly what I was going to say", 300));
        std::string host;
        for (int i = 1; i <= 300; ++i) {
            host += "- \"Topic " + std::to_string(i) + " is new.\\n!add_ai \\\"Curie\\\"\"\n";
        }
        dir.write("host.yaml", host);
        write_config(rooms_yaml);
        ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);
        start();
    }

    void write_config(const std::string& rooms_yaml) const {
        dir_->write("serve.yaml",
                    std::string{"data_dir: var\n"} + test::token_control +
                        "shutdown_grace: 2s\n"
                        "providers:\n"
                        "  stage: { kind: scripted }\n"
                        "models:\n"
                        "  - { name: Ada, provider: stage, script: ada.yaml }\n"
                        "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
                        "  - { name: Curie, provider: stage, script: curie.yaml }\n"
                        "  - { name: Echo, provider: stage, script: echo.yaml }\n"
                        "  - { name: Parrot, provider: stage, script: parrot.yaml }\n"
                        "  - { name: Host, provider: stage, script: host.yaml }\n"
                        "rooms:\n" +
                        rooms_yaml);
    }

    void start() {
        std::filesystem::remove(dir_->path() / "var" / "serve.json");
        child_ = std::make_unique<test::child_process>(std::vector<std::string>{
            test::polylogue_binary(), "serve", (dir_->path() / "serve.yaml").string()});
        port_ = test::wait_for_serve_port(dir_->path() / "var", 20s);
        ASSERT_NE(port_, 0) << "the daemon did not start";
    }

    void restart() {
        stop();
        start();
    }

    void stop() {
        child_->send(SIGTERM);
        EXPECT_EQ(child_->wait(10s).exit_code, 0);
    }

    void signal(int number) { child_->send(number); }
    test::api_client api() const { return test::api_client{port_, test::control_token}; }
    std::string log() const {
        return test::read_file(dir_->path() / "var" / "logs" / "polylogue.log");
    }

  private:
    const test::temp_dir* dir_;
    std::unique_ptr<test::child_process> child_;
    std::uint16_t port_ = 0;
};

json records_of(const test::api_client& api, const std::string& room) {
    return api.get("/v1/rooms/" + room + "/transcript").json()["records"];
}

json first_of_type(const json& records, const std::string& type, std::int64_t after = 0) {
    for (const auto& r : records) {
        if (r["type"] == type && r["seq"].get<std::int64_t>() > after) {
            return r;
        }
    }
    return nullptr;
}

bool is_ai_message(const json& r) {
    return r["type"] == "message" && r.value("speaker", "").rfind("AI-", 0) == 0;
}

std::string loop_room(const std::string& action) {
    return "  - name: loop\n"
           "    members: [Echo, Parrot]\n"
           "    max_turns: 30\n"
           "    turn_delay: 20ms\n"
           "    loop_guard: { window: 2, similarity: 0.9, action: " +
           action + " }\n";
}

TEST(ManagedRoom, LoopGuardNoticeTellsTheRoomAndItGoesOn) {
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

TEST(ManagedRoom, TheModelsSeeTheLoopGuardsNoticeInTheirNextRequest) {
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

TEST(ManagedRoom, LoopGuardPausePausesTheRoom) {
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

TEST(ManagedRoom, LoopGuardEndEndsTheRoomWithItsReason) {
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

TEST(ManagedRoom, MaxAiStreakPausesAndAHumanMessageStartsTheCountAgain) {
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

TEST(ManagedRoom, PatchChangesMaxTurnsWhileTheRoomRuns) {
    test::temp_dir dir;
    managed_daemon serve{dir, test::room_entry("alpha", 400, "200ms")};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/alpha").json()["turns"] >= 2; }));
    const int limit = api.get("/v1/rooms/alpha").json()["turns"].get<int>() + 5;
    const auto patched = api.call("PATCH", "/v1/rooms/alpha", json{{"max_turns", limit}}.dump(),
                                  {{"content-type", "application/json"}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json()["settings"]["max_turns"], limit);
    EXPECT_EQ(patched.json()["overridden"], json::array({"max_turns"}));
    ASSERT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/alpha").json()["state"] == "ended"; }));
    const auto room = api.get("/v1/rooms/alpha").json();
    EXPECT_EQ(room["turns"], limit);
    EXPECT_EQ(room["end_reason"], "reached max_turns (" + std::to_string(limit) + " AI turns)");
    const auto changed = first_of_type(records_of(api, "alpha"), "settings_changed");
    ASSERT_FALSE(changed.is_null());
    EXPECT_EQ(changed["settings"], (json{{"max_turns", limit}}));
    EXPECT_NE(changed["text"].get<std::string>().find("changed max_turns 400 -> " +
                                                      std::to_string(limit)),
              std::string::npos)
        << changed.dump();
    serve.stop();
}

TEST(ManagedRoom, PatchIsKeptAcrossARestartAndASighupDoesNotSilentlyUndoIt) {
    test::temp_dir dir;
    managed_daemon serve{dir, test::room_entry("alpha", 400, "100ms")};
    const auto api = serve.api();
    ASSERT_EQ(api.call("PATCH", "/v1/rooms/alpha", R"({"max_turns": 1000})",
                       {{"content-type", "application/json"}})
                  .status,
              200);
    serve.restart();
    const auto after_restart = serve.api().get("/v1/rooms/alpha").json();
    EXPECT_EQ(after_restart["settings"]["max_turns"], 1000);
    EXPECT_EQ(after_restart["max_turns"], 1000);
    EXPECT_EQ(after_restart["overridden"], json::array({"max_turns"}));

    serve.write_config(test::room_entry("alpha", 300, "100ms"));
    serve.signal(SIGHUP);
    ASSERT_TRUE(test::eventually([&] {
        return serve.log().find(
                   "the reloaded config changes max_turns from 400 to 300, but an "
                   "operator set it to 1000") != std::string::npos;
    })) << serve.log();
    EXPECT_EQ(serve.api().get("/v1/rooms/alpha").json()["settings"]["max_turns"], 1000);

    // null: back to the file's value, which is now 300.
    const auto reset = serve.api().call("PATCH", "/v1/rooms/alpha", R"({"max_turns": null})",
                                        {{"content-type", "application/json"}});
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(reset.json()["settings"]["max_turns"], 300);
    EXPECT_EQ(reset.json()["overridden"], json::array());
    serve.stop();
}

TEST(ManagedRoom, PatchWithABadValueIsRefusedAtItsKey) {
    test::temp_dir dir;
    managed_daemon serve{dir, test::room_entry("alpha", 400, "200ms")};
    const auto api = serve.api();
    const auto patch = [&](const std::string& body) {
        return api.call("PATCH", "/v1/rooms/alpha", body, {{"content-type", "application/json"}});
    };
    const auto bad = patch(R"({"turn_delay": "1s", "max_turns": -3})");
    ASSERT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json()["error"]["code"], "invalid_settings");
    EXPECT_EQ(bad.json()["error"]["message"],
              "body:1:35: max_turns must be an integer from 1 to 1000000");
    EXPECT_NE(patch(R"({"members": ["Ada"]})")
                  .json()["error"]["message"]
                  .get<std::string>()
                  .find("unknown key 'members'"),
              std::string::npos);
    EXPECT_NE(patch(R"({"turn_order": "selector"})")
                  .json()["error"]["message"]
                  .get<std::string>()
                  .find("needs a selector"),
              std::string::npos);
    EXPECT_EQ(patch("{}").status, 400);
    EXPECT_EQ(api.call("PATCH", "/v1/rooms/nowhere", R"({"max_turns": 5})",
                       {{"content-type", "application/json"}})
                  .status,
              404);
    // Nothing was recorded and the room runs by the file.
    EXPECT_TRUE(first_of_type(records_of(api, "alpha"), "settings_changed").is_null());
    EXPECT_EQ(api.get("/v1/rooms/alpha").json()["settings"]["max_turns"], 400);
    serve.stop();
}

TEST(ManagedRoom, ARemovedMembersSeatGoesToTheNextInviteeUnderANewLabel) {
    test::temp_dir dir;
    managed_daemon serve{dir,
                         "  - { name: club, members: [Host, Babbage], max_ais: 2, max_turns: 200, "
                         "turn_delay: 100ms }\n"};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/club").json()["turns"] >= 2; }));
    const auto removed = api.post("/v1/rooms/club/members/AI-2/remove", {{"by", "Alice"}});
    ASSERT_EQ(removed.status, 200) << removed.body;
    ASSERT_TRUE(test::eventually([&] {
        return !first_of_type(records_of(api, "club"), "join", 2).is_null();
    })) << records_of(api, "club").dump(1);
    const auto records = records_of(api, "club");
    const auto left = first_of_type(records, "left");
    ASSERT_FALSE(left.is_null());
    EXPECT_EQ(left["speaker"], "AI-2");
    EXPECT_EQ(left["text"], "AI-2 (Babbage) was taken out of the room by Alice");
    const auto joined = first_of_type(records, "join", 2);
    EXPECT_EQ(joined["speaker"], "AI-3");
    EXPECT_EQ(joined["model"], "Curie");
    for (const auto& r : records) {
        if (r["seq"] > left["seq"]) {
            EXPECT_NE(r.value("speaker", ""), "AI-2") << "a member that left spoke: " << r.dump();
        }
    }
    EXPECT_EQ(api.post("/v1/rooms/club/members/AI-2/remove", json::object()).status, 404);
    EXPECT_EQ(api.post("/v1/rooms/club/members/AI-9/remove", json::object()).status, 404);
    EXPECT_EQ(api.post("/v1/rooms/club/members/AI-1/remove", {{"by", "AI-2"}}).status, 400);
    serve.stop();
}

TEST(ManagedRoom, DeleteArchivesTheRoomWhichStaysArchivedAfterARestart) {
    test::temp_dir dir;
    managed_daemon serve{
        dir, test::room_entry("alpha", 400, "100ms") + test::room_entry("beta", 400, "100ms")};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/alpha").json()["turns"] >= 1; }));
    const auto archived = api.call("DELETE", "/v1/rooms/alpha", R"({"by": "Alice"})",
                                   {{"content-type", "application/json"}});
    ASSERT_EQ(archived.status, 200) << archived.body;
    EXPECT_EQ(archived.json()["state"], "ended");
    EXPECT_EQ(archived.json()["archived"], true);
    EXPECT_EQ(api.call("DELETE", "/v1/rooms/alpha").status, 409);

    const auto listed = api.get("/v1/rooms").json()["rooms"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["name"], "beta");
    EXPECT_EQ(api.get("/v1/rooms?all=1").json()["rooms"].size(), 2u);
    const auto records = records_of(api, "alpha");
    ASSERT_GE(records.size(), 2u);
    EXPECT_EQ(records[records.size() - 2]["type"], "room_ended");
    EXPECT_EQ(records[records.size() - 2]["text"], "archived by Alice");
    EXPECT_EQ(records.back()["type"], "archived");
    const auto last_seq = records.back()["seq"];

    serve.restart();
    const auto again = serve.api();
    EXPECT_EQ(again.get("/v1/rooms").json()["rooms"].size(), 1u);
    const auto room = again.get("/v1/rooms/alpha").json();
    EXPECT_EQ(room["archived"], true);
    EXPECT_EQ(room["last_seq"], last_seq) << "an archived room ran after the restart";
    EXPECT_EQ(records_of(again, "alpha").back()["type"], "archived");
    const auto cli = test::polylogue({"rooms", (dir.path() / "serve.yaml").string()});
    EXPECT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(cli.out.find("alpha"), std::string::npos) << cli.out;
    EXPECT_NE(cli.out.find("beta"), std::string::npos) << cli.out;
    serve.stop();
}

}  // namespace
}  // namespace polylogue
