// POST /v1/rooms against a real `polylogue serve`: bodies that would make the YAML parser or the
// validator do work out of proportion to their size (aliases, nesting, a flood of mistakes) get
// a fast 400 or 413 with a small answer, and the daemon's memory stays where it was.

#include <gtest/gtest.h>

#include "serve_fixture.hpp"
#include "support/usage_sampler.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;

constexpr long mib_in_kib = 1024;

// A room whose system_prompt is a scalar of scalar_bytes that members repeats through aliases:
// a few bytes of text for each copy of the scalar.
std::string aliased_body(std::size_t scalar_bytes, int aliases) {
    std::string body =
        "name: amp\nsystem_prompt: &s \"" + std::string(scalar_bytes, 'x') + "\"\nmembers: [*s";
    for (int i = 1; i < aliases; ++i) {
        body += ",*s";
    }
    return body + "]\n";
}

// Nine levels of ten aliases each: 10^9 nodes, in half a kilobyte.
std::string nested_alias_body() {
    std::string body = "name: laughs\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int level = 1; level <= 8; ++level) {
        const std::string below = "*a" + std::to_string(level - 1);
        body += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + below;
        for (int i = 1; i < 10; ++i) {
            body += ", " + below;
        }
        body += "]\n";
    }
    return body + "members: [*a8]\n";
}

struct timed_answer {
    test::api_answer answer;
    std::chrono::milliseconds took;
};

timed_answer post_room(const test::api_client& api, const std::string& body) {
    const auto started = std::chrono::steady_clock::now();
    auto answer = api.call("POST", "/v1/rooms", body, {{"content-type", "application/yaml"}});
    return {std::move(answer), std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started)};
}

class RoomBodyLimits : public ::testing::Test {
  protected:
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("alpha", 2, "0s")};
    test::api_client api = serve.api();

    void SetUp() override {
        ASSERT_NE(serve.port(), 0);
        ASSERT_EQ(api.get("/v1/rooms").status, 200);
    }

    void TearDown() override {
        EXPECT_EQ(api.get("/v1/rooms").status, 200) << "the daemon did not carry on";
        serve.signal(SIGTERM);
        EXPECT_EQ(serve.wait(10s).exit_code, 0);
    }
};

// The figures: a 109 KB body made a 300 MB answer and 1 GB of RSS, a 145 KB one 2.2 GB.
TEST_F(RoomBodyLimits, AliasAmplifiedBodiesGetAFast400AndTheDaemonStaysSmall) {
    const long peak_before = test::peak_rss_kib(serve.pid());
    for (const int aliases : {33'000, 44'500}) {
        const std::string body = aliased_body(10 * 1024, aliases);
        const auto [answer, took] = post_room(api, body);
        EXPECT_EQ(answer.status, 400) << answer.body.substr(0, 500);
        EXPECT_LT(answer.body.size(), 2048u) << "a " << body.size() << "-byte body";
        EXPECT_LT(took, 2s) << "a " << body.size() << "-byte body";
        EXPECT_NE(answer.body.find("aliases repeat more than 1MiB"), std::string::npos)
            << answer.body.substr(0, 500);
    }
    const long grown = test::peak_rss_kib(serve.pid()) - peak_before;
    if (test::rss_measures_the_daemon()) {
        EXPECT_LT(grown, 16 * mib_in_kib) << "peak RSS grew by " << grown << " KiB";
    }
}

TEST_F(RoomBodyLimits, NestedAliasesACycleAndDeepBracketsAreRefusedBeforeAnyWalk) {
    const long peak_before = test::peak_rss_kib(serve.pid());
    const std::vector<std::pair<std::string, std::string>> cases{
        {nested_alias_body(), "more than 10000 nodes"},
        {"name: cyc\nmembers: &a [Ada, *a]\n", "refers to a node that contains it"},
        {"name: deep\nmembers: " + std::string(200'000, '['), "brackets nest more than 64"},
        // yaml-cpp keeps every token of an unclosed nested flow: some 100 bytes a comma.
        {"name: commas\nmembers: [[" + std::string(200'000, ','), "YAML syntax error"},
    };
    for (const auto& [body, expected] : cases) {
        const auto [answer, took] = post_room(api, body);
        EXPECT_EQ(answer.status, 400) << answer.body.substr(0, 500);
        EXPECT_NE(answer.body.find(expected), std::string::npos) << answer.body.substr(0, 500);
        EXPECT_LT(took, 2s) << expected;
    }
    const long grown = test::peak_rss_kib(serve.pid()) - peak_before;
    if (test::rss_measures_the_daemon()) {
        EXPECT_LT(grown, 40 * mib_in_kib) << "peak RSS grew by " << grown << " KiB";
    }
}

TEST_F(RoomBodyLimits, ABodyOfManyMistakesGetsTwentyProblemsAndTheCountOfTheRest) {
    std::string body = "name: mistakes\nmembers: [[x]";
    for (int i = 1; i < 500; ++i) {
        body += ", [x]";
    }
    body += "]\n";
    const auto [answer, took] = post_room(api, body);
    ASSERT_EQ(answer.status, 400) << answer.body.substr(0, 500);
    const auto error = answer.json()["error"];
    EXPECT_EQ(error["problems"].size(), 20u);
    EXPECT_EQ(error["unlisted_problems"], 480) << "100 kept by the loader, 400 counted";
    EXPECT_NE(error["message"].get<std::string>().find("(and 499 more problems)"),
              std::string::npos)
        << error["message"];
    EXPECT_LT(answer.body.size(), 8192u);
}

TEST_F(RoomBodyLimits, ARoomBodyOver256KiBIsA413) {
    const std::string body =
        "name: long\nmembers: [Ada]\nsystem_prompt: \"" + std::string(300 * 1024, 'y') + "\"\n";
    const auto [answer, took] = post_room(api, body);
    EXPECT_EQ(answer.status, 413) << answer.body.substr(0, 500);
    EXPECT_EQ(answer.json()["error"]["code"], "body_too_large");
}

}  // namespace
}  // namespace polylogue
