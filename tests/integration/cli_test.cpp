// The command line as users and scripts meet it: exit codes, outputs, refusals.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <fstream>
#include <thread>

#include "support/eventually.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

TEST(Cli, CheckAcceptsTheDemoConfig) {
    const auto result =
        test::polylogue({"check", (test::source_dir() / "config/demo.yaml").string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find(": ok (1 rooms, 6 models)"), std::string::npos);
}

TEST(Cli, CheckRefusesABadConfigWithEveryProblemLocated) {
    test::temp_dir dir;
    const auto config = dir.write("bad.yaml",
                                  "providers:\n"
                                  "  stage: { kind: scripted }\n"
                                  "models:\n"
                                  "  - name: A\n"
                                  "    provider: stage\n"
                                  "    script: missing.yaml\n"
                                  "rooms:\n"
                                  "  - name: lab\n"
                                  "    memberz: [A]\n"
                                  "    max_ais: 9\n");
    const auto result = test::polylogue({"check", config.string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find(config.string() + ":6:13: "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(config.string() + ":9:5: "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("did you mean 'members'"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(config.string() + ":10:14: "), std::string::npos) << result.err;
}

TEST(Cli, RunRefusesAConfigThatCheckRefuses) {
    test::temp_dir dir;
    const auto config = dir.write("bad.yaml", "rooms: [ { name: lab } ]\n");
    const auto result = test::polylogue({"run", config.string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_FALSE(std::filesystem::exists(dir / "var/transcripts.db"));
}

TEST(Cli, ParsePrintsOneJsonObjectPerCommand) {
    const auto result = test::polylogue(
        {"parse"}, "hi !image \"a cat\" and !temperature hot\n```\n!search \"x\"\n```");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::istringstream lines{result.out};
    std::vector<nlohmann::json> objects;
    for (std::string line; std::getline(lines, line);) {
        objects.push_back(nlohmann::json::parse(line));
    }
    ASSERT_EQ(objects.size(), 2u);
    EXPECT_EQ(objects[0]["command"], "image");
    EXPECT_EQ(objects[0]["args"], nlohmann::json::array({"a cat"}));
    EXPECT_EQ(objects[0]["status"], "ok");
    EXPECT_EQ(objects[1]["command"], "temperature");
    EXPECT_EQ(objects[1]["status"], "rejected");
    EXPECT_FALSE(objects[1]["detail"].get<std::string>().empty());
}

TEST(Cli, ParseAnswersAnyBytesWithValidJson) {
    constexpr std::string_view invalid_prompt{"!image \"\xff\xfe\0\x80 cat\" ", 18};
    std::string garbage{invalid_prompt};
    garbage += std::string(2'000'000, '\0');
    garbage += "!search \"\xc3\x28\"";
    const auto result = test::polylogue({"parse"}, garbage);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::istringstream lines{result.out};
    int count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    }
    EXPECT_EQ(count, 2);
}

TEST(Cli, TranscriptFormatsAreTextMarkdownAndJsonl) {
    test::temp_dir dir;
    test::copy_from_source("tests/data/reference", dir);
    const auto config = (dir / "reference.yaml").string();
    ASSERT_EQ(test::polylogue({"run", config}).exit_code, 0);
    const auto text = test::polylogue({"transcript", config, "phenomenology", "--format", "text"});
    EXPECT_NE(text.out.find("AI-3 (Claude 3 Opus):\n"), std::string::npos);
    const auto markdown =
        test::polylogue({"transcript", config, "phenomenology", "--format", "markdown"});
    EXPECT_NE(markdown.out.find("# Room phenomenology"), std::string::npos);
    EXPECT_NE(markdown.out.find("**AI-3 (Claude 3 Opus)**"), std::string::npos);
    const auto bad = test::polylogue({"transcript", config, "phenomenology", "--format", "pdf"});
    EXPECT_EQ(bad.exit_code, 2);
    const auto unknown = test::polylogue({"transcript", config, "nowhere"});
    EXPECT_EQ(unknown.exit_code, 2);
}

TEST(Cli, UnknownCommandIsAUsageError) {
    const auto result = test::polylogue({"frobnicate"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("usage: polylogue"), std::string::npos);
}

TEST(Cli, ServeStopsCleanlyOnSigtermWithinFiveSeconds) {
    test::temp_dir dir;
    test::copy_from_source("config", dir);
    test::child_process daemon{{test::polylogue_binary(), "serve", (dir / "demo.yaml").string()}};
    // Signalled once its room has a chat log, not after a fixed pause: a sanitized build on a
    // loaded machine can take longer than any pause to install its signal handlers.
    ASSERT_TRUE(
        test::eventually([&] { return std::filesystem::exists(dir / "var/logs/demo.log"); }));
    const auto stopped_at = std::chrono::steady_clock::now();
    daemon.send(SIGTERM);
    const auto result = daemon.wait(std::chrono::seconds{10});
    const auto took = std::chrono::steady_clock::now() - stopped_at;
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_LT(took, std::chrono::seconds{5});
    const auto records = test::transcript_records(dir / "demo.yaml", "demo");
    ASSERT_FALSE(records.empty());
    EXPECT_NE(records.back()["type"], "room_ended") << "stopped, not ended: it resumes next time";
    EXPECT_TRUE(std::filesystem::exists(dir / "var/logs/demo.log"));
}

}  // namespace
}  // namespace polylogue
