// The sections about the daemon itself: control, logging and shutdown_grace.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ConfigService : public ::testing::Test {
  protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        dir_ =
            fs::temp_directory_path() / ("polylogue-config-service-test-" + std::to_string(stamp) +
                                         "-" + std::to_string(++counter));
        fs::create_directories(dir_);
    }

    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    result<config, refusal> parse(std::string_view text) const {
        return parse_config(text, dir_ / "polylogue.yaml");
    }

    config load_valid(std::string_view text) const {
        const result<config, refusal> outcome = parse(text);
        for (const diagnostic& problem : outcome.error().problems) {
            ADD_FAILURE() << problem.to_string();
        }
        EXPECT_TRUE(outcome.has_value());
        return (outcome ? *outcome : config{});
    }

    fs::path dir_;
};

std::string listing(const result<config, refusal>& outcome) {
    std::string text;
    for (const diagnostic& problem : outcome.error().problems) {
        text += "\n  " + std::to_string(problem.line) + ":" + std::to_string(problem.column) +
                ": " + problem.message;
    }
    return text;
}

void expect_one_problem(const result<config, refusal>& outcome, int line, int column,
                        std::string_view fragment) {
    EXPECT_FALSE(outcome.has_value());
    ASSERT_EQ(outcome.error().problems.size(), 1u) << listing(outcome);
    const diagnostic problem = outcome.error().problems.front();
    EXPECT_EQ(problem.line, line) << problem.message;
    EXPECT_EQ(problem.column, column) << problem.message;
    EXPECT_NE(problem.message.find(fragment), std::string::npos)
        << "'" << problem.message << "' lacks '" << fragment << "'";
}

// A control section whose one setting (after "  listen: " and the like) a test chooses: its
// value starts on line 2 at column 3 + the key's length + 2.
std::string control_with(std::string_view line) {
    return "control:\n  " + std::string{line} + "\n";
}

std::string logging_with(std::string_view line) {
    return "logging:\n  " + std::string{line} + "\n";
}

TEST_F(ConfigService, AbsentSectionsKeepEveryDefault) {
    const config loaded = load_valid("rooms: []\n");
    EXPECT_TRUE(loaded.control.enabled);
    EXPECT_EQ(loaded.control.listen, "127.0.0.1:7475");
    EXPECT_EQ(loaded.control.token_env, "");
    EXPECT_EQ(loaded.control.token_file, fs::path{});
    EXPECT_EQ(loaded.control.max_body_bytes, 1024u * 1024u);
    EXPECT_EQ(loaded.control.max_header_bytes, 16u * 1024u);
    EXPECT_EQ(loaded.logging.level, "info");
    EXPECT_EQ(loaded.logging.max_file_bytes, 10u * 1024u * 1024u);
    EXPECT_EQ(loaded.logging.max_files, 5);
    EXPECT_FALSE(loaded.logging.json);
    EXPECT_EQ(loaded.shutdown_grace, 3s);
}

TEST_F(ConfigService, EmptySectionsKeepEveryDefault) {
    const config loaded = load_valid("control:\nlogging:\n");
    EXPECT_EQ(loaded.control.listen, "127.0.0.1:7475");
    EXPECT_EQ(loaded.logging.max_files, 5);
}

TEST_F(ConfigService, EveryExplicitValueIsKept) {
    const config loaded = load_valid(R"(control:
  enabled: false
  listen: 0.0.0.0:8080
  token_file: secrets/../secrets/token
  max_body_bytes: 2MiB
  max_header_bytes: 8192
logging:
  level: debug
  max_file_size: 64KiB
  max_files: 100
  json: true
shutdown_grace: 1.5s
)");
    EXPECT_FALSE(loaded.control.enabled);
    EXPECT_EQ(loaded.control.listen, "0.0.0.0:8080");
    EXPECT_EQ(loaded.control.token_file, dir_ / "secrets" / "token");
    EXPECT_EQ(loaded.control.max_body_bytes, 2u * 1024u * 1024u);
    EXPECT_EQ(loaded.control.max_header_bytes, 8192u);
    EXPECT_EQ(loaded.logging.level, "debug");
    EXPECT_EQ(loaded.logging.max_file_bytes, 64u * 1024u);
    EXPECT_EQ(loaded.logging.max_files, 100);
    EXPECT_TRUE(loaded.logging.json);
    EXPECT_EQ(loaded.shutdown_grace, 1500ms);
}

TEST_F(ConfigService, AnAbsoluteTokenFileStaysAsItIsAndNeedNotExistYet) {
    const config loaded =
        load_valid(control_with("token_file: /etc/polylogue/missing-token-for-now"));
    EXPECT_EQ(loaded.control.token_file, fs::path{"/etc/polylogue/missing-token-for-now"});
    EXPECT_EQ(loaded.control.token_env, "");
}

TEST_F(ConfigService, SizesArePlainBytesOrBinaryUnits) {
    const std::vector<std::pair<std::string, std::uint64_t>> cases{
        {"65536", 65536},
        {"65536B", 65536},
        {"64KiB", 64 * 1024},
        {"10MiB", 10 * 1024 * 1024},
        {"1GiB", std::uint64_t{1} << 30},
        {"0001048576", 1024 * 1024},
    };
    for (const auto& [text, bytes] : cases) {
        SCOPED_TRACE(text);
        EXPECT_EQ(load_valid(logging_with("max_file_size: " + text)).logging.max_file_bytes, bytes);
    }
}

TEST_F(ConfigService, SizesRefuseDecimalUnitsFractionsSpacesAndOtherRanges) {
    const std::string message =
        "max_file_size must be a size from 64KiB to 1GiB: a number of bytes, or a number and a "
        "unit (B, KiB, MiB or GiB), such as 16KiB or 10MiB";
    for (const std::string_view bad : {"10MB", "10M", "10mib", "1.5MiB", "\"10 MiB\"", "-1", "MiB",
                                       "32KiB", "2GiB", "99999999999999999999", "[1]", "\"\""}) {
        SCOPED_TRACE(bad);
        expect_one_problem(parse(logging_with("max_file_size: " + std::string{bad})), 2, 18,
                           message);
    }
    expect_one_problem(parse(control_with("max_body_bytes: 512")), 2, 19,
                       "max_body_bytes must be a size from 1KiB to 64MiB");
    expect_one_problem(parse(control_with("max_header_bytes: 2MiB")), 2, 21,
                       "max_header_bytes must be a size from 1KiB to 1MiB");
}

TEST_F(ConfigService, ListenTakesNumericLoopbackAddressesWithAnyPort) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"127.0.0.1:0", "127.0.0.1:0"},
        {"127.1.2.3:65535", "127.1.2.3:65535"},
        {"\"[::1]:7475\"", "[::1]:7475"},
        {"\"[::ffff:127.0.0.1]:80\"", "[::ffff:127.0.0.1]:80"},
    };
    for (const auto& [yaml, listen] : cases) {
        SCOPED_TRACE(yaml);
        EXPECT_EQ(load_valid(control_with("listen: " + yaml)).control.listen, listen);
    }
}

TEST_F(ConfigService, MalformedListenAddressesAreRefusedWithTheReason) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"localhost:7475", "listen's host 'localhost' must be a numeric address"},
        {"127.0.0.1", "listen must be HOST:PORT"},
        {":7475", "listen must be HOST:PORT"},
        {"\"127.0.0.1:\"", "listen's port must be a number from 0 to 65535"},
        {"127.0.0.1:65536", "listen's port must be a number from 0 to 65535"},
        {"127.0.0.1:+80", "listen's port must be a number from 0 to 65535"},
        {"127.0.0.01:80", "must be a numeric address"},
        {"256.0.0.1:80", "must be a numeric address"},
        {"::1:7475", "listen's IPv6 address must be in brackets"},
        {"\"[::1\"", "listen has an IPv6 address without its closing ']'"},
        {"\"[::1]7475\"", "listen must be HOST:PORT"},
        {"\"[fe80::1%eth0]:80\"", "is not an IPv6 address"},
        {"\"[127.0.0.1]:80\"", "is not an IPv6 address"},
        {"\"\"", "listen must not be empty"},
    };
    for (const auto& [text, message] : cases) {
        SCOPED_TRACE(text);
        expect_one_problem(parse(control_with("listen: " + text)), 2, 11, message);
    }
}

TEST_F(ConfigService, AnUnquotedIPv6ListenIsExplainedAsYamlReadsIt) {
    const result<config, refusal> outcome = parse(control_with("listen: [::1]"));
    expect_one_problem(outcome, 2, 11, "quote an IPv6 address");
}

TEST_F(ConfigService, ANonLoopbackListenNeedsATokenSource) {
    const std::string message =
        "control.listen: a non-loopback address needs token_env or token_file";
    for (const std::string_view address : {"0.0.0.0:7475", "192.168.1.5:80", "\"[::]:7475\"",
                                           "\"[2001:db8::1]:7475\"", "\"[::ffff:10.0.0.1]:80\""}) {
        SCOPED_TRACE(address);
        const result<config, refusal> outcome =
            parse(control_with("listen: " + std::string{address}));
        expect_one_problem(outcome, 2, 11, message);
        EXPECT_EQ(outcome.error().problems.at(0).message, message);
    }
    EXPECT_EQ(load_valid("control:\n  listen: 0.0.0.0:7475\n  token_env: POLYLOGUE_TOKEN\n")
                  .control.token_env,
              "POLYLOGUE_TOKEN");
    EXPECT_EQ(
        load_valid("control:\n  listen: 0.0.0.0:7475\n  token_file: token\n").control.token_file,
        dir_ / "token");
    // Disabled, it listens nowhere; the rule applies once it is enabled.
    EXPECT_FALSE(
        load_valid("control:\n  enabled: false\n  listen: 0.0.0.0:7475\n").control.enabled);
}

TEST_F(ConfigService, TokenEnvAndTokenFileTogetherAreRefusedAtTheSecond) {
    const result<config, refusal> outcome =
        parse("control:\n  token_env: POLYLOGUE_TOKEN\n  token_file: secrets/token\n");
    expect_one_problem(outcome, 3, 3,
                       "token_env and token_file are both set; the token must come from one of "
                       "them");
}

TEST_F(ConfigService, TokenEnvMustNameAVariableAndNeverEchoesAToken) {
    for (const std::string_view bad : {"s3cr3t-t0k3n-value", "1TOKEN", "\"MY TOKEN\""}) {
        SCOPED_TRACE(bad);
        const result<config, refusal> outcome =
            parse(control_with("token_env: " + std::string{bad}));
        expect_one_problem(outcome, 2, 14, "token_env must be the name of an environment variable");
        EXPECT_EQ(outcome.error().problems.at(0).message.find("s3cr3t"), std::string::npos);
    }
    // A malformed token source is still one: the address is not blamed too.
    const result<config, refusal> outcome =
        parse("control:\n  listen: 0.0.0.0:1\n  token_env: \"a b\"\n");
    expect_one_problem(outcome, 3, 14, "token_env must be the name");
}

TEST_F(ConfigService, LogLevelsAreSpdlogsNamesWithSuggestions) {
    for (const std::string_view level :
         {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
        EXPECT_EQ(load_valid(logging_with("level: " + std::string{level})).logging.level, level);
    }
    expect_one_problem(parse(logging_with("level: infp")), 2, 10,
                       "unknown log level 'infp'; did you mean 'info'?");
    expect_one_problem(parse(logging_with("level: verbose")), 2, 10,
                       "unknown log level 'verbose'; expected 'trace', 'debug', 'info', 'warn', "
                       "'error', 'critical', 'off'");
}

TEST_F(ConfigService, LogFileCountsAndFlagsAreChecked) {
    expect_one_problem(parse(logging_with("max_files: 0")), 2, 14,
                       "max_files must be an integer from 1 to 100");
    expect_one_problem(parse(logging_with("max_files: 101")), 2, 14,
                       "max_files must be an integer from 1 to 100");
    expect_one_problem(parse(logging_with("json: yes")), 2, 9, "json must be true or false");
    expect_one_problem(parse(control_with("enabled: on")), 2, 12, "enabled must be true or false");
}

TEST_F(ConfigService, ShutdownGraceIsADurationOfAtMostTenMinutes) {
    EXPECT_EQ(load_valid("shutdown_grace: 0s\n").shutdown_grace, 0ms);
    EXPECT_EQ(load_valid("shutdown_grace: 10m\n").shutdown_grace, 10min);
    for (const std::string_view bad : {"11m", "601s", "3", "-1s", "1h"}) {
        SCOPED_TRACE(bad);
        expect_one_problem(parse("shutdown_grace: " + std::string{bad} + "\n"), 1, 17,
                           "shutdown_grace must be a duration from 0s to 10m");
    }
}

TEST_F(ConfigService, TheDailyBudgetIsAPositiveNumberOfDollars) {
    EXPECT_FALSE(load_valid("rooms: []\n").budget_usd_per_day.has_value());
    EXPECT_EQ(load_valid("budget_usd_per_day: 12.5\n").budget_usd_per_day, 12.5);
    for (const std::string_view bad : {"0", "-1", "ten", "inf", "[1]"}) {
        SCOPED_TRACE(bad);
        expect_one_problem(parse("budget_usd_per_day: " + std::string{bad} + "\n"), 1, 21,
                           "budget_usd_per_day must be a number above 0 (US dollars per UTC day)");
    }
}

TEST_F(ConfigService, UnknownKeysAndWrongShapesAreLocated) {
    expect_one_problem(parse(control_with("lisen: 127.0.0.1:1")), 2, 3,
                       "unknown key 'lisen' in control; did you mean 'listen'?");
    expect_one_problem(parse(logging_with("max_file: 1MiB")), 2, 3,
                       "unknown key 'max_file' in logging; did you mean");
    expect_one_problem(parse("control: 127.0.0.1:7475\n"), 1, 10,
                       "control must be a map such as { listen: 127.0.0.1:7475 }, not a scalar");
    expect_one_problem(parse("logging: [info]\n"), 1, 10, "logging must be a map");
    expect_one_problem(parse("shutdown_grace:\n  - 3s\n"), 2, 3,
                       "shutdown_grace must be a duration");
    expect_one_problem(parse("shutdown_gracee: 3s\n"), 1, 1,
                       "unknown key 'shutdown_gracee' in the configuration; did you mean "
                       "'shutdown_grace'?");
}

}  // namespace
}  // namespace polylogue::config
