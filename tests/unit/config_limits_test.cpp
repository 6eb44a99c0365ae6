// What a configuration, a script or a room body may cost to read: file sizes, YAML nodes and
// aliases, bracket depth, and how many problems are listed. Also control.allowed_hosts.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "polylogue/config/loader.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::config {
namespace {

namespace fs = std::filesystem;

const std::string catalogue =
    "providers:\n  stage: { kind: scripted }\n"
    "models:\n  - { name: A, provider: stage, script: a.yaml }\n";

bool mentions(const std::vector<diagnostic>& problems, std::string_view fragment) {
    for (const auto& p : problems) {
        if (p.message.find(fragment) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string listing(const std::vector<diagnostic>& problems) {
    std::string text;
    for (const auto& p : problems) {
        text += "\n  " + p.to_string().substr(0, 300);
    }
    return text;
}

class ConfigLimits : public ::testing::Test {
  protected:
    test::temp_dir dir;

    void SetUp() override { dir.write("a.yaml", "- hi\n"); }

    result<config, refusal> parse(const std::string& text) const {
        return parse_config(text, dir / "polylogue.yaml");
    }

    config base() const {
        auto loaded = parse(catalogue);
        EXPECT_TRUE(loaded) << listing(loaded.error().problems);
        return (loaded ? *loaded : config{});
    }
};

TEST_F(ConfigLimits, AConfigurationFileOver4MiBIsRefusedUnread) {
    const fs::path file =
        dir.write("polylogue.yaml", catalogue + "# " + std::string(4 * 1024 * 1024, 'x') + "\n");
    const auto loaded = load_config(file);
    EXPECT_FALSE(loaded);
    EXPECT_TRUE(mentions(loaded.error().problems, "it is larger than 4MiB"))
        << listing(loaded.error().problems);
}

TEST_F(ConfigLimits, AScriptOver16MiBIsRefusedUnread) {
    dir.write("a.yaml", "- \"" + std::string(16 * 1024 * 1024, 'x') + "\"\n");
    const auto loaded = parse(catalogue);
    EXPECT_FALSE(loaded);
    EXPECT_TRUE(mentions(loaded.error().problems, "it is larger than 16MiB"))
        << listing(loaded.error().problems);
}

TEST_F(ConfigLimits, AliasesThatRepeatMoreThan1MiBOfTextAreRefusedWithoutAWalk) {
    std::string text = catalogue + "shutdown_grace: &big \"" + std::string(64 * 1024, 'x') +
                       "\"\nrooms:\n  - { name: r, members: [*big";
    for (int i = 0; i < 20; ++i) {
        text += ", *big";
    }
    text += "] }\n";
    const auto loaded = parse(text);
    ASSERT_EQ(loaded.error().problems.size(), 1u) << listing(loaded.error().problems);
    EXPECT_TRUE(mentions(loaded.error().problems, "aliases repeat more than 1MiB of text"));
    EXPECT_EQ(loaded.error().problems[0].line, 7);
}

TEST_F(ConfigLimits, ARoomBodyOfMoreThan10000NodesIsRefused) {
    std::string body = "name: r\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n";
    for (int level = 1; level <= 4; ++level) {
        const std::string below = "*x" + std::to_string(level - 1);
        body += "x" + std::to_string(level) + ": &x" + std::to_string(level) + " [" + below;
        for (int i = 1; i < 10; ++i) {
            body += ", " + below;
        }
        body += "]\n";
    }
    const auto outcome = parse_room(body, base(), "body");
    EXPECT_FALSE(outcome);
    ASSERT_EQ(outcome.error().problems.size(), 1u) << listing(outcome.error().problems);
    EXPECT_TRUE(mentions(outcome.error().problems, "more than 10000 nodes"));
    // The same aliases are fine in a configuration file, which may have 200,000 nodes.
    EXPECT_FALSE(
        mentions(parse(catalogue + body.substr(body.find('\n') + 1)).error().problems, "nodes"));
}

TEST_F(ConfigLimits, AnAliasInsideWhatItRefersToIsRefused) {
    const auto outcome = parse_room("name: r\nmembers: &m [A, *m]\n", base(), "body");
    EXPECT_FALSE(outcome);
    EXPECT_TRUE(mentions(outcome.error().problems, "refers to a node that contains it"))
        << listing(outcome.error().problems);
}

TEST_F(ConfigLimits, BracketsNestedDeeperThan64AreRefusedBeforeTheParserSeesThem) {
    const auto outcome = parse_room(
        "name: r\nmembers: " + std::string(65, '[') + std::string(65, ']'), base(), "body");
    ASSERT_EQ(outcome.error().problems.size(), 1u) << listing(outcome.error().problems);
    EXPECT_TRUE(mentions(outcome.error().problems, "brackets nest more than 64 deep"));
    EXPECT_EQ(outcome.error().problems[0].line, 2);
    EXPECT_EQ(outcome.error().problems[0].column, 74);
    const auto fine = parse_room("name: r\nmembers: [A]\nsystem_prompt: \"" + std::string(30, ']') +
                                     std::string(60, '[') + "\"\n",
                                 base(), "body");
    EXPECT_TRUE(fine) << listing(fine.error().problems);
}

TEST_F(ConfigLimits, ProblemsPastTheFirstHundredAreCountedNotListed) {
    std::string text = catalogue + "rooms:\n";
    for (int i = 0; i < 250; ++i) {
        text += "  - { name: r" + std::to_string(i) + ", members: [A], colour: red }\n";
    }
    const auto loaded = parse(text);
    EXPECT_FALSE(loaded);
    EXPECT_EQ(loaded.error().problems.size(), 100u);
    EXPECT_EQ(loaded.error().unlisted_problems, 150u);
    EXPECT_EQ(more_problems_text(loaded.error().unlisted_problems), "(and 150 more problems)");
}

TEST_F(ConfigLimits, AProblemQuotingALongValueIsCutAt2KiB) {
    const auto outcome =
        parse_room("name: r\nmembers: [\"" + std::string(100'000, 'm') + "\"]\n", base(), "body");
    ASSERT_EQ(outcome.error().problems.size(), 1u);
    EXPECT_LE(outcome.error().problems[0].message.size(), 2048u + 3);
    EXPECT_TRUE(outcome.error().problems[0].message.ends_with("..."));
}

TEST_F(ConfigLimits, AllowedHostsAreNamesOrAddressesWithoutPorts) {
    const auto loaded = parse(catalogue +
                              "control: { allowed_hosts: [Polylogue.Example.com, 10.0.0.5, "
                              "\"[fd00::1]\", my-host] }\n");
    ASSERT_TRUE(loaded) << listing(loaded.error().problems);
    EXPECT_EQ(
        loaded->control.allowed_hosts,
        (std::vector<std::string>{"polylogue.example.com", "10.0.0.5", "[fd00::1]", "my-host"}));
    for (const char* bad :
         {"\"host:80\"", "\"http://host\"", "\"*\"", "\"-host\"", "\"a..b\"", "\"host/x\""}) {
        const auto refused = parse(catalogue + "control: { allowed_hosts: [" + bad + "] }\n");
        EXPECT_TRUE(mentions(refused.error().problems, "each of allowed_hosts must be a host name"))
            << bad << listing(refused.error().problems);
    }
}

TEST_F(ConfigLimits, AnOpeningSpeakerFollowsTheHumanNameRule) {
    for (const char* speaker : {"\"AI\u20101\"", "Polylogue", "\"AI-1 (A)\""}) {
        const auto outcome = parse_room(
            std::string{"name: r\nmembers: [A]\nopening: { speaker: "} + speaker + ", text: hi }\n",
            base(), "body");
        EXPECT_FALSE(outcome) << speaker;
        EXPECT_TRUE(mentions(outcome.error().problems, "opening speaker"))
            << listing(outcome.error().problems);
    }
}

}  // namespace
}  // namespace polylogue::config
