// The default setup of a real `polylogue serve` (loopback, no token) against what any web page in
// the operator's browser can send: cross-site requests (a foreign Origin, a form or text/plain
// body) and DNS rebinding (a name of the attacker's resolving to 127.0.0.1: a foreign Host).

#include <gtest/gtest.h>

#include "serve_fixture.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* no_token_control = "control: { listen: 127.0.0.1:0 }\n";

class CrossSite : public ::testing::Test {
  protected:
    test::temp_dir dir;
    test::serve_process serve{dir, test::room_entry("alpha", 400, "200ms"), {}, no_token_control};
    test::api_client api{serve.port(), ""};

    std::string self() const { return "127.0.0.1:" + std::to_string(serve.port()); }

    void SetUp() override { ASSERT_NE(serve.port(), 0); }

    void TearDown() override {
        serve.signal(SIGTERM);
        EXPECT_EQ(serve.wait(10s).exit_code, 0);
    }

    json room() const { return api.get("/v1/rooms/alpha").json(); }
};

TEST_F(CrossSite, APageFromAnotherOriginCannotPauseStopCreateOrPost) {
    const headers evil{{"origin", "http://evil.example"}, {"host", self()}};
    const json message{{"speaker", "mallory"}, {"text", "cross-site"}};
    const json new_room{{"name", "evil"}, {"members", {"Ada"}}};
    for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
             {"/v1/rooms/alpha/pause", ""},
             {"/v1/rooms/alpha/stop", ""},
             {"/v1/rooms/alpha/messages", message.dump()},
             {"/v1/rooms", new_room.dump()}}) {
        const auto answer = api.call("POST", target, body, evil);
        EXPECT_EQ(answer.status, 403) << target << ": " << answer.body;
        EXPECT_EQ(answer.json()["error"]["code"], "foreign_origin") << answer.body;
    }
    const headers null_origin{{"origin", "null"}, {"host", self()}};
    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/stop", "", null_origin).status, 403);
    EXPECT_EQ(room()["state"], "running");
    EXPECT_EQ(api.get("/v1/rooms/evil").status, 404);
    EXPECT_EQ(api.get("/v1/rooms/alpha/transcript").body.find("cross-site"), std::string::npos);

    // The daemon's own page (the viewer) is same-origin, through its address or a tunnel's.
    const headers own{{"origin", "http://" + self()}, {"host", self()}};
    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/pause", "", own).status, 200);
    EXPECT_EQ(room()["state"], "paused");
    const headers tunnel{{"origin", "http://localhost:9999"}, {"host", "localhost:9999"}};
    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/resume", "", tunnel).status, 200);
    EXPECT_EQ(room()["state"], "running");
}

TEST_F(CrossSite, FormAndTextBodiesAreRefusedWith415) {
    const std::string message = json{{"speaker", "mallory"}, {"text", "by a form"}}.dump();
    for (const char* type :
         {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
        const auto posted =
            api.call("POST", "/v1/rooms/alpha/messages", message, {{"content-type", type}});
        EXPECT_EQ(posted.status, 415) << type << ": " << posted.body;
        EXPECT_EQ(posted.json()["error"]["code"], "unsupported_media_type");
        const auto created = api.call("POST", "/v1/rooms", "name: formed\nmembers: [Ada]\n",
                                      {{"content-type", type}});
        EXPECT_EQ(created.status, 415) << type << ": " << created.body;
        EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/stop", "x=1", {{"content-type", type}}).status,
                  415)
            << type;
    }
    EXPECT_EQ(room()["state"], "running");
    EXPECT_EQ(api.get("/v1/rooms/formed").status, 404);

    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/messages", message,
                       {{"content-type", "Application/JSON; charset=utf-8"}})
                  .status,
              201);
    EXPECT_EQ(api.call("POST", "/v1/rooms", "name: yaml\nmembers: [Ada]\nmax_turns: 1\n",
                       {{"content-type", "application/yaml"}})
                  .status,
              201);
}

TEST_F(CrossSite, AForeignHostIsRefusedOnEveryRouteButHealthz) {
    const headers rebound{{"host", "rebind.evil.example:" + std::to_string(serve.port())}};
    for (const char* target : {"/", "/v1/rooms", "/v1/rooms/alpha", "/v1/rooms/alpha/transcript",
                               "/metrics", "/v1/rooms/alpha/events"}) {
        const auto answer = api.call("GET", target, "", rebound);
        EXPECT_EQ(answer.status, 421) << target << ": " << answer.body;
        EXPECT_EQ(answer.json()["error"]["code"], "unknown_host") << answer.body;
    }
    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/pause", "", rebound).status, 421);
    EXPECT_EQ(room()["state"], "running");
    EXPECT_EQ(api.call("GET", "/healthz", "", rebound).status, 200);
    EXPECT_EQ(api.call("GET", "/v1/rooms", "", {{"host", self()}}).status, 200);
    EXPECT_EQ(api.call("GET", "/v1/rooms", "", {{"host", "localhost"}}).status, 200);
}

TEST(CrossSiteAllowedHosts, ANameInAllowedHostsIsAnsweredAndItsPagesMayChangeRooms) {
    test::temp_dir dir;
    test::serve_process serve{dir,
                              test::room_entry("alpha", 400, "200ms"),
                              {},
                              "control: { listen: 127.0.0.1:0, allowed_hosts: [polylogue.test] "
                              "}\n"};
    ASSERT_NE(serve.port(), 0);
    const test::api_client api{serve.port(), ""};
    const headers named{{"host", "polylogue.test"}, {"origin", "https://polylogue.test"}};
    EXPECT_EQ(api.call("GET", "/v1/rooms", "", named).status, 200);
    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/pause", "", named).status, 200);
    EXPECT_EQ(api.call("GET", "/v1/rooms", "", {{"host", "other.test"}}).status, 421);
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(10s).exit_code, 0);
}

}  // namespace
}  // namespace polylogue
