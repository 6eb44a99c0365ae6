// The control API's small doors of a real `polylogue serve`: which tokens it starts with, the
// bearer scheme in any case, and the names a human may post under.

#include <gtest/gtest.h>

#include "serve_fixture.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// serve with the given control section and no room, to completion or 10 s.
test::process_result serve_with(const test::temp_dir& dir, const std::string& control_yaml) {
    dir.write("ada.yaml", test::script_of("Ada", 2));
    dir.write("babbage.yaml", test::script_of("Babbage", 2));
    dir.write("curie.yaml", test::script_of("Curie", 2));
    dir.write("serve.yaml", "data_dir: var\n" + control_yaml + test::scripted_models());
    return test::run_process({test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}, {},
                             10s);
}

TEST(TokenRules, AWhitespaceOnlyTokenIsRefusedAtStart) {
    test::temp_dir dir;
    ::setenv("PL_TEST_BLANK_TOKEN", " \t  ", 1);
    const auto ended =
        serve_with(dir, "control: { listen: 127.0.0.1:0, token_env: PL_TEST_BLANK_TOKEN }\n");
    EXPECT_FALSE(ended.timed_out) << "serve started with a blank token";
    EXPECT_NE(ended.exit_code, 0);
    EXPECT_NE(ended.err.find("PL_TEST_BLANK_TOKEN (control.token_env) is empty or only whitespace"),
              std::string::npos)
        << ended.err;
}

// 192.0.2.1 (TEST-NET-1) is no address of this machine: a daemon that got past the token check
// would fail to bind instead, and say so.
TEST(TokenRules, ATokenShorterThan16BytesIsRefusedBeyondLoopback) {
    test::temp_dir dir;
    ::setenv("PL_TEST_SHORT_TOKEN", "short-token", 1);
    const auto ended =
        serve_with(dir, "control: { listen: 192.0.2.1:0, token_env: PL_TEST_SHORT_TOKEN }\n");
    EXPECT_NE(ended.exit_code, 0);
    EXPECT_NE(ended.err.find("the token is shorter than 16 bytes, too short beyond loopback"),
              std::string::npos)
        << ended.err;
}

TEST(TokenRules, AShortTokenOnLoopbackIsAcceptedWithAWarning) {
    test::temp_dir dir;
    ::setenv("PL_TEST_SHORT_TOKEN", "  short-token \n", 1);
    test::serve_process serve{dir,
                              test::room_entry("alpha", 2, "0s"),
                              {},
                              "control: { listen: 127.0.0.1:0, token_env: PL_TEST_SHORT_TOKEN }\n"};
    ASSERT_NE(serve.port(), 0);
    EXPECT_EQ(test::api_client(serve.port(), "short-token").get("/v1/rooms").status, 200)
        << "the spaces around the token are not part of it";
    serve.signal(SIGTERM);
    const auto ended = serve.wait(10s);
    EXPECT_EQ(ended.exit_code, 0);
    EXPECT_NE(
        ended.err.find("the token is shorter than 16 bytes; other local users could guess it"),
        std::string::npos)
        << ended.err;
}

TEST(TokenRules, TheBearerSchemeIsAcceptedInAnyCase) {
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("alpha", 2, "0s")};
    ASSERT_NE(serve.port(), 0);
    const test::api_client anonymous{serve.port(), ""};
    for (const std::string scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
        const auto answer = anonymous.call("GET", "/v1/rooms", {},
                                           {{"authorization", scheme + " " + test::control_token}});
        EXPECT_EQ(answer.status, 200) << scheme << ": " << answer.body;
    }
    EXPECT_EQ(anonymous
                  .call("GET", "/v1/rooms", {},
                        {{"authorization", std::string{"Basic "} + test::control_token}})
                  .status,
              401);
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

TEST(TokenRules, InterjectionSpeakersFollowTheConfigsRuleForHumanNames) {
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("alpha", 400, "200ms")};
    ASSERT_NE(serve.port(), 0);
    const auto api = serve.api();
    const auto post = [&](const std::string& speaker) {
        return api.post("/v1/rooms/alpha/messages", {{"speaker", speaker}, {"text", "hello"}});
    };
    for (const std::string& refused : std::vector<std::string>{
             "AI1", "ai 1", "AI\u20101", "AI-1 (Ada)", "\uFF21\uFF29-\uFF11", "A\u0399-2",
             "Polylogue", "[polylogue]", " janus", "janus ", "", std::string(65, 'j'), "ja\tnus"}) {
        const auto answer = post(refused);
        EXPECT_EQ(answer.status, 400) << "'" << refused << "': " << answer.body;
    }
    for (const std::string accepted : {"janus", "Aiko", "AI researcher", "Ai", "Jürgen"}) {
        const auto answer = post(accepted);
        EXPECT_EQ(answer.status, 201) << "'" << accepted << "': " << answer.body;
    }
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

}  // namespace
}  // namespace polylogue
