// The control API of a real `polylogue serve` process: tokens, rooms, events, steering.

#include <gtest/gtest.h>

#include <thread>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Polls until the room's transcript satisfies check, or limit passes; the last one seen.
json wait_for_transcript(const test::api_client& api, const std::string& room,
                         const std::function<bool(const json&)>& check,
                         std::chrono::milliseconds limit = 15s) {
    json records;
    EXPECT_TRUE(test::eventually(
        [&] {
            records = api.get("/v1/rooms/" + room + "/transcript").json()["records"];
            return check(records);
        },
        limit))
        << "room " << room << ": " << records.dump();
    return records;
}

int turns_of(const test::api_client& api, const std::string& room) {
    return api.get("/v1/rooms/" + room).json()["turns"].get<int>();
}

std::size_t count_type(const json& records, const std::string& type) {
    std::size_t n = 0;
    for (const auto& r : records) {
        if (r["type"] == type) {
            ++n;
        }
    }
    return n;
}

class ControlApi : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::unique_ptr<test::serve_process> serve;

    void start(const std::string& rooms) {
        serve = std::make_unique<test::serve_process>(dir, rooms);
        ASSERT_NE(serve->port(), 0) << "serve did not publish its port";
    }

    void TearDown() override {
        if (serve) {
            serve->signal(SIGTERM);
            const auto ended = serve->wait(10s);
            EXPECT_EQ(ended.exit_code, 0) << ended.err;
        }
    }
};

TEST_F(ControlApi, RequestsWithoutTheRightTokenGet401ButHealthzAnswers) {
    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    EXPECT_EQ(api.call("GET", "/v1/rooms", {}, {}, false).status, 401);
    EXPECT_EQ(api.call("GET", "/v1/rooms", {}, {{"authorization", "Bearer wrong"}}, false).status,
              401);
    EXPECT_EQ(api.call("GET", "/metrics", {}, {}, false).status, 401);
    EXPECT_EQ(api.call("GET", "/", {}, {}, false).status, 401);
    EXPECT_EQ(api.call("GET", "/healthz", {}, {}, false).status, 200);
    EXPECT_EQ(
        api.call("GET", std::string{"/v1/rooms?access_token="} + test::control_token, {}, {}, false)
            .status,
        200);
    const auto refused = api.call("GET", "/v1/rooms", {}, {}, false);
    EXPECT_EQ(refused.json()["error"]["code"], "unauthorized");
}

TEST_F(ControlApi, UnknownPathsAre404AndWrongMethods405WithAllow) {
    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    EXPECT_EQ(api.get("/v1/nothing").status, 404);
    EXPECT_EQ(api.get("/v1/rooms/nobody").status, 404);
    const auto wrong = api.call("DELETE", "/v1/rooms");
    EXPECT_EQ(wrong.status, 405);
    EXPECT_NE(wrong.header("allow").find("GET"), std::string::npos);
    EXPECT_EQ(api.call("GET", "/v1/rooms/alpha/pause").status, 405);
    EXPECT_EQ(api.call("POST", "/v1/rooms", std::string(2 * 1024 * 1024, 'x')).status, 413);
}

TEST_F(ControlApi, ListsEveryRoomWithStateMembersAndTurns) {
    start(test::room_entry("alpha", 4, "0s") + test::room_entry("beta", 400, "100ms"));
    const auto api = serve->api();
    wait_for_transcript(api, "alpha",
                        [](const json& r) { return count_type(r, "room_ended") == 1; });
    const auto rooms = api.get("/v1/rooms").json()["rooms"];
    ASSERT_EQ(rooms.size(), 2u);
    EXPECT_EQ(rooms[0]["name"], "alpha");
    EXPECT_EQ(rooms[0]["state"], "ended");
    EXPECT_EQ(rooms[0]["turns"], 4);
    EXPECT_EQ(rooms[0]["members"][0]["label"], "AI-1");
    EXPECT_EQ(rooms[0]["members"][0]["model"], "Ada");
    EXPECT_EQ(rooms[0]["members"][1]["temperature"], 1.0);
    EXPECT_EQ(rooms[1]["name"], "beta");
    EXPECT_EQ(rooms[1]["state"], "running");
    const auto metrics = api.get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("polylogue_rooms{state=\"ended\"} 1"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("polylogue_turns_total"), std::string::npos);
}

TEST_F(ControlApi, EventsDeliverEveryRecordInOrderAndResumeAfterLastEventId) {
    start(test::room_entry("alpha", 10, "30ms"));
    const auto api = serve->api();
    const auto ended = [](const std::vector<http::sse_event>& events) {
        for (const auto& e : events) {
            if (e.event == "record" && e.data.find("\"room_ended\"") != std::string::npos) {
                return true;
            }
        }
        return false;
    };
    const auto first = api.read_events("/v1/rooms/alpha/events", ended, 20s);
    std::vector<std::int64_t> seqs;
    for (const auto& e : first) {
        if (e.event == "record") {
            seqs.push_back(std::stoll(e.id));
            EXPECT_EQ(json::parse(e.data)["seq"], seqs.back());
        }
    }
    ASSERT_FALSE(seqs.empty());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        EXPECT_EQ(seqs[i], static_cast<std::int64_t>(i + 1)) << "gap or duplicate at " << i;
    }
    const auto resumed =
        api.read_events("/v1/rooms/alpha/events", ended, 10s, {{"last-event-id", "5"}});
    std::vector<std::int64_t> later;
    for (const auto& e : resumed) {
        if (e.event == "record") {
            later.push_back(std::stoll(e.id));
        }
    }
    ASSERT_FALSE(later.empty());
    EXPECT_EQ(later.front(), 6);
    EXPECT_EQ(later.back(), seqs.back());
    EXPECT_EQ(later.size(), seqs.size() - 5);
}

TEST_F(ControlApi, PauseHoldsTheRoomResumeGoesOnAndStopEndsIt) {
    // witness keeps alpha's pace: its turns show that alpha's would have come.
    start(test::room_entry("alpha", 400, "50ms") + test::room_entry("witness", 400, "50ms"));
    const auto api = serve->api();
    const auto paused = api.call("POST", "/v1/rooms/alpha/pause");
    ASSERT_EQ(paused.status, 200) << paused.body;
    EXPECT_EQ(paused.json()["state"], "paused");
    const auto turns_when_paused = turns_of(api, "alpha");
    const auto witness_then = turns_of(api, "witness");
    ASSERT_TRUE(test::eventually([&] { return turns_of(api, "witness") >= witness_then + 8; }));
    EXPECT_EQ(turns_of(api, "alpha"), turns_when_paused);
    ASSERT_EQ(api.call("POST", "/v1/rooms/alpha/resume").status, 200);
    const auto records = wait_for_transcript(api, "alpha", [&](const json& r) {
        return count_type(r, "message") > static_cast<std::size_t>(turns_when_paused) + 2;
    });
    EXPECT_EQ(count_type(records, "paused"), 1u);
    EXPECT_EQ(count_type(records, "resumed"), 1u);
    const auto stopped = api.call("POST", "/v1/rooms/alpha/stop");
    ASSERT_EQ(stopped.status, 200) << stopped.body;
    EXPECT_EQ(stopped.json()["state"], "ended");
    EXPECT_EQ(api.call("POST", "/v1/rooms/alpha/resume").status, 409);
    EXPECT_EQ(api.post("/v1/rooms/alpha/messages", {{"speaker", "janus"}, {"text", "late"}}).status,
              409);
}

TEST_F(ControlApi, AHumanMessageIsCommittedBeforeTheNextTurn) {
    start(test::room_entry("alpha", 400, "200ms"));
    const auto api = serve->api();
    const auto said = api.post("/v1/rooms/alpha/messages",
                               {{"speaker", "janus"}, {"text", "a word from outside"}});
    ASSERT_EQ(said.status, 201) << said.body;
    const auto seq = said.json()["seq"].get<std::size_t>();
    const auto records = wait_for_transcript(api, "alpha", [&](const json& r) {
        return !r.empty() && r.back()["seq"].get<std::size_t>() > seq + 1;
    });
    ASSERT_GE(records.size(), seq);
    EXPECT_EQ(records[seq - 1]["speaker"], "janus");
    EXPECT_EQ(records[seq - 1]["text"], "a word from outside");
    EXPECT_EQ(api.post("/v1/rooms/alpha/messages", {{"speaker", "AI-2"}, {"text", "x"}}).status,
              400);
    EXPECT_EQ(api.post("/v1/rooms/alpha/messages", {{"speaker", "janus"}}).status, 400);
}

TEST_F(ControlApi, CreatingARoomValidatesTheBodyLikeTheConfig) {
    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    const auto bad = api.call("POST", "/v1/rooms",
                              "name: gamma\nmembers: [Ada, Nobody]\nmax_turns: 0\ncolour: red\n");
    ASSERT_EQ(bad.status, 400) << bad.body;
    const auto problems = bad.json()["error"]["problems"];
    ASSERT_GE(problems.size(), 3u) << bad.body;
    bool located_member = false;
    for (const auto& p : problems) {
        if (p["message"].get<std::string>().find("Nobody") != std::string::npos) {
            located_member = p["line"] == 2 && p["column"] == 16;
        }
    }
    EXPECT_TRUE(located_member) << bad.body;
    const auto good = api.post(
        "/v1/rooms",
        {{"name", "gamma"}, {"members", {"Ada", "Curie"}}, {"max_turns", 3}, {"turn_delay", "0s"}});
    ASSERT_EQ(good.status, 201) << good.body;
    EXPECT_EQ(good.json()["name"], "gamma");
    const auto records = wait_for_transcript(
        api, "gamma", [](const json& r) { return count_type(r, "room_ended") == 1; });
    EXPECT_EQ(count_type(records, "message"), 3u);
    EXPECT_EQ(api.post("/v1/rooms", {{"name", "gamma"}, {"members", {"Ada"}}}).status, 409);
    EXPECT_TRUE(std::filesystem::exists(dir / "var" / "rooms" / "gamma.yaml"));
}

// A stray ',' once sent yaml-cpp's LoadAll round in circles until the daemon's memory ran out
// (found by tests/fuzz/config_loader_fuzz.cpp); now it is a syntax error like any other.
TEST_F(ControlApi, ABodyTheYamlParserCannotGetPastIsA400AndTheDaemonCarriesOn) {
    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    const auto bad = api.call("POST", "/v1/rooms", "{name: gamma, members: [Ada]},");
    ASSERT_EQ(bad.status, 400) << bad.body;
    EXPECT_NE(bad.body.find("YAML syntax error"), std::string::npos) << bad.body;
    EXPECT_EQ(api.get("/v1/rooms").status, 200);
}

}  // namespace
}  // namespace polylogue
