// `polylogue serve` as a service: SIGHUP reloads, SIGTERM stops within its grace and loses
// nothing, a human's message reaches the next model request, and the terminal commands.

#include <gtest/gtest.h>

#include <thread>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(ServeLifecycle, SighupAddsARoomAndABadConfigLeavesTheOldOneRunning) {
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("alpha", 400, "100ms")};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();

    test::serve_process::write_config(dir,
                                      test::room_entry("alpha", 400, "100ms") +
                                          "  - { name: beta, members: [Curie] , nonsense: 1 }\n");
    serve.signal(SIGHUP);
    // The refusal's log line is the moment the reload was decided: anything applied is applied.
    const auto daemon_log = dir / "var" / "logs" / "polylogue.log";
    ASSERT_TRUE(test::eventually([&] {
        return test::read_file(daemon_log).find("reload refused") != std::string::npos;
    })) << test::read_file(daemon_log);
    EXPECT_EQ(api.get("/v1/rooms").json()["rooms"].size(), 1u) << "a refused config was applied";

    // A changed setting applies from the next turn: alpha now stops a few turns from here.
    const int new_limit = api.get("/v1/rooms/alpha").json()["turns"].get<int>() + 5;
    test::serve_process::write_config(
        dir, test::room_entry("alpha", new_limit, "100ms") + test::room_entry("beta", 3, "0s"));
    serve.signal(SIGHUP);
    EXPECT_TRUE(test::eventually([&] {
        const auto records = test::room_records(api, "beta");
        return records.is_array() && !records.empty() && records.back()["type"] == "room_ended";
    })) << "the added room did not run";
    EXPECT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/alpha").json()["state"] == "ended"; }));
    const auto alpha = api.get("/v1/rooms/alpha").json();
    EXPECT_EQ(alpha["turns"], new_limit);
    EXPECT_EQ(alpha["max_turns"], new_limit);

    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

TEST(ServeLifecycle, SigtermEndsWithExitZeroWithinFiveSecondsAndLosesNothing) {
    test::temp_dir dir;
    test::serve_process serve{
        dir, test::room_entry("alpha", 400, "20ms") + test::room_entry("beta", 400, "20ms")};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return test::room_records(api, "beta").size() > 10; }));
    const auto seen_before = test::room_records(api, "alpha").size();
    const auto asked = std::chrono::steady_clock::now();
    serve.signal(SIGTERM);
    const auto ended = serve.wait(10s);
    const auto took = std::chrono::steady_clock::now() - asked;
    EXPECT_EQ(ended.exit_code, 0) << ended.err;
    EXPECT_LT(took, 5s);
    for (const std::string room : {"alpha", "beta"}) {
        const auto records = test::transcript_records(serve.config(), room);
        ASSERT_FALSE(records.empty());
        for (std::size_t i = 0; i < records.size(); ++i) {
            EXPECT_EQ(records[i]["seq"], static_cast<std::int64_t>(i + 1));
        }
        if (room == "alpha") {
            EXPECT_GE(records.size(), seen_before) << "records seen over the API were lost";
        }
    }
}

TEST(ServeLifecycle, AnInterjectionIsInTheNextModelRequest) {
    test::fake_server openai;
    openai.on_request([](const test::recorded_request&) {
        return test::fake_response::sse(test::openai_stream("the model answers"));
    });
    ::setenv("PL_TEST_FAKE_OPENAI_KEY", "fake-openai-key-0123456789", 1);
    test::temp_dir dir;
    dir.write("ada.yaml", test::script_of("Ada", 50));
    dir.write(
        "serve.yaml",
        "data_dir: var\n"
        "control: { listen: 127.0.0.1:0, token_env: PL_TEST_CONTROL_TOKEN }\n"
        "providers:\n"
        "  stage: { kind: scripted }\n"
        "  router: { kind: openai, base_url: " +
            openai.base_url() +
            ", api_key_env: PL_TEST_FAKE_OPENAI_KEY }\n"
            "models:\n"
            "  - { name: Ada, provider: stage, script: ada.yaml }\n"
            "  - { name: GPT 5, provider: router, id: openai/gpt-5 }\n"
            "rooms:\n"
            "  - { name: alpha, members: [Ada, GPT 5], max_turns: 400, turn_delay: 300ms }\n");
    ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);
    test::child_process child{{test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}};
    const auto port = test::wait_for_serve_port(dir / "var", 20s);
    ASSERT_NE(port, 0);
    const test::api_client api{port, test::control_token};
    ASSERT_TRUE(test::eventually([&] { return !openai.requests().empty(); }));
    const auto said = api.post("/v1/rooms/alpha/messages",
                               {{"speaker", "janus"}, {"text", "please mention otters"}});
    ASSERT_EQ(said.status, 201) << said.body;
    const auto requests_then = openai.requests().size();
    ASSERT_TRUE(test::eventually([&] { return openai.requests().size() > requests_then; }));
    const auto body = json::parse(openai.requests()[requests_then].body);
    bool seen = false;
    for (const auto& m : body["messages"]) {
        seen = seen || (m["role"] == "user" &&
                        m["content"].get<std::string>().find("[janus]: please mention otters") !=
                            std::string::npos);
    }
    EXPECT_TRUE(seen) << body.dump(2);
    child.send(SIGTERM);
    EXPECT_EQ(child.wait(10s).exit_code, 0);
}

TEST(ServeLifecycle, RoomsAndTailTalkToTheDaemonAndTailReadsTheStoreWithoutOne) {
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("alpha", 6, "50ms")};
    ASSERT_NE(serve.port(), 0);
    const auto tail = test::polylogue({"tail", serve.config().string(), "alpha"}, {}, 30s);
    EXPECT_EQ(tail.exit_code, 0) << tail.err;
    EXPECT_NE(tail.out.find("Ada says 3"), std::string::npos) << tail.out;
    EXPECT_NE(tail.out.find("The room ended"), std::string::npos) << tail.out;
    const auto rooms = test::polylogue({"rooms", serve.config().string()});
    EXPECT_EQ(rooms.exit_code, 0) << rooms.err;
    EXPECT_NE(rooms.out.find("alpha"), std::string::npos);
    EXPECT_NE(rooms.out.find("ended"), std::string::npos);
    serve.signal(SIGTERM);
    ASSERT_EQ(serve.wait(10s).exit_code, 0);
    const auto offline = test::polylogue({"tail", serve.config().string(), "alpha"});
    EXPECT_EQ(offline.exit_code, 0);
    EXPECT_NE(offline.out.find("Babbage says 3"), std::string::npos);
    EXPECT_NE(test::polylogue({"rooms", serve.config().string()}).exit_code, 0);
}

}  // namespace
}  // namespace polylogue

namespace polylogue {
namespace {

TEST(ServeLifecycle, SigtermPastTheGraceAbandonsATurnStuckOnItsProviderAndExitsZero) {
    test::fake_server openai;
    openai.on_request([](const test::recorded_request&) {
        auto slow = test::fake_response::sse(test::openai_stream("too late"));
        slow.header_delay = std::chrono::seconds{30};
        return slow;
    });
    ::setenv("PL_TEST_FAKE_OPENAI_KEY", "fake-openai-key-0123456789", 1);
    ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);
    test::temp_dir dir;
    dir.write("serve.yaml",
              "data_dir: var\n"
              "control: { listen: 127.0.0.1:0, token_env: PL_TEST_CONTROL_TOKEN }\n"
              "shutdown_grace: 500ms\n"
              "providers:\n"
              "  router: { kind: openai, base_url: " +
                  openai.base_url() +
                  ", api_key_env: PL_TEST_FAKE_OPENAI_KEY }\n"
                  "models:\n"
                  "  - { name: GPT 5, provider: router, id: openai/gpt-5 }\n"
                  "rooms:\n"
                  "  - { name: alpha, members: [GPT 5], max_turns: 5 }\n");
    test::child_process child{{test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}};
    ASSERT_NE(test::wait_for_serve_port(dir / "var", 20s), 0);
    ASSERT_TRUE(test::eventually([&] { return !openai.requests().empty(); }));
    const auto asked = std::chrono::steady_clock::now();
    child.send(SIGTERM);
    const auto ended = child.wait(10s);
    EXPECT_EQ(ended.exit_code, 0) << ended.err;
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
    EXPECT_FALSE(std::filesystem::exists(dir / "var" / "serve.json"));
    const auto records = test::transcript_records(dir / "serve.yaml", "alpha");
    ASSERT_EQ(records.size(), 1u);  // the join; the abandoned turn left nothing behind
    EXPECT_EQ(records[0]["type"], "join");
    const auto log = test::read_file(dir / "var" / "logs" / "polylogue.log");
    EXPECT_NE(log.find("abandoned"), std::string::npos) << log;
}

}  // namespace
}  // namespace polylogue
