// SIGHUP and the control API of a real `polylogue serve`: a new token applies at once and the old
// one stops working; a token that cannot be had refuses the reload; a setting that only a
// restart applies (listen) is named in a warning and in the reload's outcome.

#include <gtest/gtest.h>

#include <thread>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"

namespace polylogue {
namespace {

using namespace std::chrono_literals;

constexpr const char* first_token = "first-token-0123456789abcdef";
constexpr const char* second_token = "second-token-0123456789abcdef";

int rooms_status(std::uint16_t port, const std::string& token) {
    return test::api_client{port, token}.get("/v1/rooms").status;
}

class ReloadAccess : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::unique_ptr<test::serve_process> serve;

    void start(const std::string& control_yaml) {
        dir.write("token.txt", std::string{first_token} + "\n");
        serve = std::make_unique<test::serve_process>(dir, test::room_entry("alpha", 400, "200ms"),
                                                      std::string{}, control_yaml);
        ASSERT_NE(serve->port(), 0);
        ASSERT_EQ(rooms_status(serve->port(), first_token), 200);
    }

    std::string daemon_log() const {
        return test::read_file(dir / "var" / "logs" / "polylogue.log");
    }

    // Sends SIGHUP and waits for the reload's outcome line, the count-th in the log.
    void reload(std::size_t count) {
        serve->signal(SIGHUP);
        EXPECT_TRUE(test::eventually([&] {
            const std::string log = daemon_log();
            std::size_t seen = 0;
            for (auto at = log.find("reload "); at != std::string::npos;
                 at = log.find("reload ", at + 1)) {
                const auto line_end = log.find('\n', at);
                const auto line = log.substr(at, line_end - at);
                seen += line.starts_with("reload applied") ||
                        line.find("keeps running on the config it had") != std::string::npos;
            }
            return seen >= count;
        })) << daemon_log();
    }

    void TearDown() override {
        if (serve) {
            serve->signal(SIGTERM);
            EXPECT_EQ(serve->wait(10s).exit_code, 0);
        }
    }
};

TEST_F(ReloadAccess, ARotatedTokenFileAppliesAtOnceAndTheOldTokenStopsWorking) {
    start("control: { listen: 127.0.0.1:0, token_file: token.txt }\n");
    const test::silent_stream follower{serve->port(), "/v1/rooms/alpha/events", first_token};
    const test::api_client old_client{serve->port(), first_token};
    EXPECT_TRUE(test::eventually([&] {
        return old_client.get("/metrics").body.find("polylogue_sse_clients 1") != std::string::npos;
    }));

    dir.write("token.txt", std::string{second_token} + "\n");
    reload(1);
    EXPECT_EQ(rooms_status(serve->port(), second_token), 200);
    EXPECT_EQ(rooms_status(serve->port(), first_token), 401);
    const test::api_client new_client{serve->port(), second_token};
    EXPECT_NE(new_client.get("/metrics").body.find("polylogue_sse_clients 0"), std::string::npos)
        << "a stream opened with the old token stayed open";
    EXPECT_NE(daemon_log().find("the token changed; the old one no longer works"),
              std::string::npos);
}

TEST_F(ReloadAccess, ATokenThatCannotBeHadRefusesTheReloadAndTheOldTokenKeepsWorking) {
    start("control: { listen: 127.0.0.1:0, token_file: token.txt }\n");
    dir.write("token.txt", " \t \n");
    reload(1);
    EXPECT_EQ(rooms_status(serve->port(), first_token), 200);
    EXPECT_NE(daemon_log().find("reload refused: control API: cannot read a token from"),
              std::string::npos)
        << daemon_log();

    dir.write("token.txt", std::string{first_token} + "\n");
    test::serve_process::write_config(dir, test::room_entry("alpha", 400, "200ms"), {},
                                      "control: { listen: 127.0.0.1:0, token_env: "
                                      "PL_TEST_TOKEN_NOBODY_SET }\n");
    reload(2);
    EXPECT_EQ(rooms_status(serve->port(), first_token), 200);
    EXPECT_NE(daemon_log().find("PL_TEST_TOKEN_NOBODY_SET (control.token_env) is not set"),
              std::string::npos)
        << daemon_log();
}

TEST_F(ReloadAccess, AListenChangeIsNamedAsNeedingARestartAndTheApiStaysWhereItWas) {
    start("control: { listen: 127.0.0.1:0, token_file: token.txt }\n");
    test::serve_process::write_config(dir, test::room_entry("alpha", 400, "200ms"), {},
                                      "control: { listen: 127.0.0.2:0, token_file: token.txt }\n");
    reload(1);
    const std::string log = daemon_log();
    EXPECT_NE(log.find("reload: control.listen changed from '127.0.0.1:0' to '127.0.0.2:0'; this "
                       "needs a restart"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("reload applied: 1 rooms in the config; a restart is needed for "
                       "control.listen"),
              std::string::npos)
        << log;
    EXPECT_EQ(rooms_status(serve->port(), first_token), 200);
}

}  // namespace
}  // namespace polylogue
