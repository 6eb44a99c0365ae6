#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "polylogue/app/daemon_log.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::app {
namespace {

namespace fs = std::filesystem;
using test::read_file;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// Each test starts without the override, whatever the shell running the tests has set.
class DaemonLog : public ::testing::Test {
  protected:
    void SetUp() override { env_.unset(std::string{log_level_variable}); }

    std::shared_ptr<spdlog::logger> make(const config::logging_settings& settings) {
        // stderr off: the tests read the file, and the test output stays clean.
        return make_daemon_log(dir_.path(), settings, spdlog::level::off);
    }

    std::string written(spdlog::logger& log) {
        log.flush();
        return read_file(dir_ / "polylogue.log");
    }

    test::scoped_env env_;
    test::temp_dir dir_;
};

TEST(LogLevelNames, AreTheConfigsSpellingsIgnoringCase) {
    EXPECT_EQ(parse_log_level("trace"), spdlog::level::trace);
    EXPECT_EQ(parse_log_level("DEBUG"), spdlog::level::debug);
    EXPECT_EQ(parse_log_level("Info"), spdlog::level::info);
    EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
    EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
    EXPECT_EQ(parse_log_level("critical"), spdlog::level::critical);
    EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
    for (const char* bad : {"", "warning", "err", "inf", "info ", "3"}) {
        EXPECT_FALSE(parse_log_level(bad).has_value()) << bad;
    }
}

TEST_F(DaemonLog, WritesTextLinesWithUtcTimeLevelAndName) {
    auto log = make({});
    log->info("hello {}", 42);
    const auto lines = lines_of(written(*log));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(std::regex_match(
        lines[0], std::regex{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info polylogue: hello 42)"}))
        << lines[0];
}

TEST_F(DaemonLog, RotatesIntoNumberedFilesAtTheConfiguredSize) {
    config::logging_settings settings;
    settings.max_file_bytes = 64 * 1024;
    settings.max_files = 2;
    auto log = make(settings);
    const std::string filler(1000, 'x');
    for (int i = 0; i < 300; ++i) {
        log->info("{} {}", i, filler);
    }
    log->flush();
    for (const char* name : {"polylogue.log", "polylogue.1.log", "polylogue.2.log"}) {
        ASSERT_TRUE(fs::exists(dir_ / name)) << name;
        EXPECT_LE(fs::file_size(dir_ / name), settings.max_file_bytes) << name;
        EXPECT_GT(fs::file_size(dir_ / name), settings.max_file_bytes / 2) << name;
    }
    EXPECT_FALSE(fs::exists(dir_ / "polylogue.3.log"));
    // The newest lines are in the current file, the ones before in .1.
    EXPECT_NE(read_file(dir_ / "polylogue.log").find("299 x"), std::string::npos);
    EXPECT_EQ(read_file(dir_ / "polylogue.1.log").find("299 x"), std::string::npos);
}

TEST_F(DaemonLog, JsonLinesStayValidWhateverTheMessageHolds) {
    config::logging_settings settings;
    settings.json = true;
    auto log = make(settings);
    log->info("say \"hi\"\nand \\ {}", "bad \xff\xfe bytes");
    log->warn("tab\there, nul {}", std::string{"a\0b", 3});
    const auto lines = lines_of(written(*log));
    ASSERT_EQ(lines.size(), 2u);
    std::vector<nlohmann::json> parsed;
    parsed.reserve(lines.size());
    for (const std::string& line : lines) {
        parsed.push_back(nlohmann::json::parse(line));  // throws, failing the test, if invalid
    }
    EXPECT_EQ(parsed[0]["message"], "say \"hi\"\nand \\ bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
    EXPECT_EQ(parsed[0]["level"], "info");
    EXPECT_EQ(parsed[0]["logger"], "polylogue");
    EXPECT_TRUE(std::regex_match(parsed[0]["time"].get<std::string>(),
                                 std::regex{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"}))
        << parsed[0]["time"];
    EXPECT_EQ(parsed[1]["level"], "warn");
    EXPECT_EQ(parsed[1]["message"], std::string("tab\there, nul a\0b", 17));
    // The keys come in a fixed order, for people reading the file too.
    EXPECT_TRUE(lines[0].starts_with("{\"time\":\"")) << lines[0];
    EXPECT_NE(lines[0].find("\"level\":\"info\",\"logger\":\"polylogue\",\"message\":"),
              std::string::npos)
        << lines[0];
}

TEST_F(DaemonLog, TheConfiguredLevelFiltersTheFile) {
    config::logging_settings settings;
    settings.level = "warn";
    auto log = make(settings);
    log->info("not shown");
    log->warn("shown");
    const std::string text = written(*log);
    EXPECT_EQ(text.find("not shown"), std::string::npos);
    EXPECT_NE(text.find("warning polylogue: shown"), std::string::npos) << text;
}

TEST_F(DaemonLog, TheEnvironmentLevelWinsOverTheConfig) {
    env_.set(std::string{log_level_variable}, "DEBUG");
    config::logging_settings settings;
    settings.level = "error";
    auto log = make(settings);
    log->trace("too fine");
    log->debug("fine detail");
    const std::string text = written(*log);
    EXPECT_EQ(text.find("too fine"), std::string::npos);
    EXPECT_NE(text.find("debug polylogue: fine detail"), std::string::npos) << text;
    // A reload keeps the override too.
    EXPECT_EQ(set_daemon_log_level(*log, settings), spdlog::level::debug);
}

TEST_F(DaemonLog, AnInvalidEnvironmentLevelIsReportedOnceAndIgnored) {
    env_.set(std::string{log_level_variable}, "loud");
    config::logging_settings settings;
    settings.level = "error";
    auto log = make(settings);
    log->info("below error");
    log->error("an error");
    EXPECT_EQ(set_daemon_log_level(*log, settings), spdlog::level::err);
    log->info("still below error");
    const auto lines = lines_of(written(*log));
    ASSERT_EQ(lines.size(), 2u) << written(*log);
    EXPECT_NE(lines[0].find("warning polylogue: POLYLOGUE_LOG_LEVEL='loud' names no log level"),
              std::string::npos)
        << lines[0];
    EXPECT_NE(lines[0].find("using 'error'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("an error"), std::string::npos) << lines[1];
}

TEST_F(DaemonLog, TheLevelCanChangeWhileRunning) {
    auto log = make({});
    log->debug("before");
    config::logging_settings finer;
    finer.level = "debug";
    EXPECT_EQ(set_daemon_log_level(*log, finer), spdlog::level::debug);
    log->debug("after");
    const std::string text = written(*log);
    EXPECT_EQ(text.find("before"), std::string::npos);
    EXPECT_NE(text.find("debug polylogue: after"), std::string::npos) << text;
}

TEST_F(DaemonLog, AppendsToTheFileOfAnEarlierRun) {
    make({})->info("first run");
    auto log = make({});
    log->info("second run");
    const auto lines = lines_of(written(*log));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[0].find("first run"), std::string::npos);
    EXPECT_NE(lines[1].find("second run"), std::string::npos);
}

}  // namespace
}  // namespace polylogue::app
