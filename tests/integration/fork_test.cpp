// Forks against a real `polylogue serve` of scripted rooms: POST /v1/rooms/ROOM/fork and
// `polylogue fork`, with and without a daemon. A fork begins with its origin's records, goes on
// as the origin did from there, and is a room like any other: listed, followed, exported, and
// resumed after a SIGKILL.

#include <gtest/gtest.h>

#include <filesystem>

#include "serve_fixture.hpp"
#include "support/eventually.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Waits for the room's transcript to end (a room_ended record last) and returns it.
json ended_transcript(const test::api_client& api, const std::string& room) {
    json records;
    EXPECT_TRUE(test::eventually([&] {
        return test::has_ended(records = test::room_records(api, room));
    })) << room
        << ": " << records.dump();
    return records;
}

json fork_body(std::int64_t at, const std::string& name) {
    return json{{"at", at}, {"name", name}};
}

// The fields a copied record keeps.
void expect_copied(const json& copy, const json& original) {
    for (const char* key : {"seq", "time", "type", "speaker", "model", "text"}) {
        EXPECT_EQ(copy.value(key, json{}), original.value(key, json{}))
            << key << " of seq " << original["seq"];
    }
}

void expect_forked_record(const json& r, const std::string& origin, std::int64_t at) {
    EXPECT_EQ(r["type"], "forked") << r.dump();
    EXPECT_EQ(r["seq"], at + 1);
    EXPECT_EQ(r["origin"], origin);
    EXPECT_EQ(r["origin_seq"], at);
    EXPECT_EQ(r["lineage"], origin);
}

class Fork : public ::testing::Test {
  protected:
    test::temp_dir dir;
    std::unique_ptr<test::serve_process> serve;

    void start(const std::string& rooms) {
        serve = std::make_unique<test::serve_process>(dir, rooms);
        ASSERT_NE(serve->port(), 0) << "serve did not publish its port";
    }

    void stop() {
        serve->signal(SIGTERM);
        const auto ended = serve->wait(10s);
        EXPECT_EQ(ended.exit_code, 0) << ended.err;
        serve.reset();
    }

    // What serve_process writes, for `polylogue run` and `fork` before any serve.
    void write_offline_config() {
        test::serve_process::write_config(dir, test::room_entry("alpha", 4, "0s"));
        for (const char* name : {"Ada", "Babbage", "Curie"}) {
            std::string file = name;
            file[0] = static_cast<char>(file[0] - 'A' + 'a');
            dir.write(file + ".yaml", test::script_of(name, 200));
        }
    }

    void TearDown() override {
        if (serve) {
            stop();
        }
    }
};

TEST_F(Fork, AForkAtAMiddleSeqBeginsWithTheOriginsRecordsAndGoesOnAsTheOriginDid) {
    start(test::room_entry("alpha", 8, "0s"));
    const auto api = serve->api();
    const json origin = ended_transcript(api, "alpha");
    ASSERT_GE(origin.size(), 9u);

    const auto forked = api.post("/v1/rooms/alpha/fork", fork_body(5, "alpha-b"));
    ASSERT_EQ(forked.status, 201) << forked.body;
    EXPECT_EQ(forked.json()["name"], "alpha-b");
    EXPECT_EQ(forked.json()["origin"], "alpha");
    EXPECT_EQ(forked.json()["origin_seq"], 5);

    const json fork = ended_transcript(api, "alpha-b");
    ASSERT_GE(fork.size(), 8u);
    for (std::size_t i = 0; i < 5; ++i) {
        expect_copied(fork[i], origin[i]);
    }
    expect_forked_record(fork[5], "alpha", 5);
    // The same next speaker, saying what it said in the origin at seq 6.
    EXPECT_EQ(fork[6]["speaker"], origin[5]["speaker"]);
    EXPECT_EQ(fork[6]["text"], origin[5]["text"]);
    // Its turns count from the fork: max_turns 8 more AI messages.
    EXPECT_EQ(api.get("/v1/rooms/alpha-b").json()["turns"], 8);

    const auto rooms = api.get("/v1/rooms").json()["rooms"];
    ASSERT_EQ(rooms.size(), 2u);
    EXPECT_EQ(rooms[1]["name"], "alpha-b");
    EXPECT_EQ(rooms[1]["origin"], "alpha");
    EXPECT_FALSE(rooms[0].contains("origin")) << "a room never forked names no origin";

    // Followed: every record from seq 1, the forked one included, in order.
    const auto events = api.read_events(
        "/v1/rooms/alpha-b/events",
        [](const auto& seen) {
            return !seen.empty() && seen.back().data.find("room_ended") != std::string::npos;
        },
        10s);
    std::vector<json> followed;
    for (const auto& e : events) {
        if (e.event == "record") {
            followed.push_back(json::parse(e.data));
        }
    }
    ASSERT_EQ(followed.size(), fork.size());
    EXPECT_EQ(followed[5]["type"], "forked");

    // Exported like any room.
    const auto exported = test::transcript_records(serve->config(), "alpha-b");
    ASSERT_EQ(exported.size(), fork.size());
    EXPECT_EQ(exported[5]["type"], "forked");
    EXPECT_EQ(exported[6]["text"], origin[5]["text"]);
}

TEST_F(Fork, AnEndedRoomForkedAtItsLastRecordGoesOn) {
    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    const json origin = ended_transcript(api, "alpha");
    const std::int64_t last = origin.back()["seq"];

    const auto forked = api.post("/v1/rooms/alpha/fork", fork_body(last, "alpha-more"));
    ASSERT_EQ(forked.status, 201) << forked.body;
    const json fork = ended_transcript(api, "alpha-more");
    ASSERT_EQ(fork.size(), origin.size() + 1 + 4 + 1) << fork.dump();
    expect_forked_record(fork[static_cast<std::size_t>(last)], "alpha", last);
    EXPECT_EQ(fork[static_cast<std::size_t>(last) + 1]["type"], "message");
    EXPECT_EQ(api.get("/v1/rooms/alpha").json()["state"], "ended") << "the origin stays ended";
}

TEST_F(Fork, BadSeqsUnknownRoomsAndTakenOrInvalidNamesAreRefused) {
    start(test::room_entry("alpha", 3, "0s") + test::room_entry("beta", 3, "0s"));
    const auto api = serve->api();
    const std::int64_t last = ended_transcript(api, "alpha").back()["seq"];

    EXPECT_EQ(api.post("/v1/rooms/alpha/fork", fork_body(0, "x")).status, 400);
    const auto beyond = api.post("/v1/rooms/alpha/fork", fork_body(last + 1, "x"));
    EXPECT_EQ(beyond.status, 400);
    EXPECT_EQ(beyond.json()["error"]["code"], "bad_seq");
    EXPECT_EQ(api.post("/v1/rooms/nowhere/fork", fork_body(1, "x")).status, 404);
    const auto taken = api.post("/v1/rooms/alpha/fork", fork_body(1, "beta"));
    EXPECT_EQ(taken.status, 409);
    EXPECT_EQ(taken.json()["error"]["code"], "room_exists");
    const auto invalid = api.post("/v1/rooms/alpha/fork", fork_body(1, "../up"));
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(invalid.json()["error"]["code"], "invalid_room");
    EXPECT_EQ(api.post("/v1/rooms/alpha/fork", json{{"at", "1"}, {"name", "x"}}).status, 400);
    EXPECT_EQ(api.post("/v1/rooms/alpha/fork", json{{"name", "x"}}).status, 400);

    ASSERT_EQ(api.post("/v1/rooms/alpha/fork", fork_body(2, "gamma")).status, 201);
    EXPECT_EQ(api.post("/v1/rooms/beta/fork", fork_body(2, "gamma")).status, 409)
        << "a fork's name is taken like any room's";
    EXPECT_EQ(api.get("/v1/rooms").json()["rooms"].size(), 3u);
    EXPECT_FALSE(std::filesystem::exists(dir / "var" / "rooms" / "x.yaml"));
}

TEST_F(Fork, AForkResumesAfterTheDaemonIsKilled) {
    start(test::room_entry("alpha", 400, "50ms"));
    auto api = serve->api();
    ASSERT_TRUE(test::eventually([&] { return test::room_records(api, "alpha").size() >= 6; }));
    const auto forked = api.post("/v1/rooms/alpha/fork", fork_body(4, "alpha-b"));
    ASSERT_EQ(forked.status, 201) << forked.body;
    ASSERT_TRUE(test::eventually([&] { return test::room_records(api, "alpha-b").size() >= 9; }));

    serve->signal(SIGKILL);
    EXPECT_EQ(serve->wait(10s).signal, SIGKILL);
    serve.reset();
    std::filesystem::remove(dir / "var" / "serve.json");
    start(test::room_entry("alpha", 400, "50ms"));
    api = serve->api();

    const auto resumed = api.get("/v1/rooms/alpha-b");
    ASSERT_EQ(resumed.status, 200) << "the fork did not come back";
    EXPECT_EQ(resumed.json()["origin"], "alpha");
    const std::size_t before = test::room_records(api, "alpha-b").size();
    ASSERT_TRUE(test::eventually([&] {
        return test::room_records(api, "alpha-b").size() >= before + 3;
    })) << "the fork does not go on after the restart";
    const json records = test::room_records(api, "alpha-b");
    for (std::size_t i = 0; i < records.size(); ++i) {
        ASSERT_EQ(records[i]["seq"], static_cast<std::int64_t>(i + 1)) << "gap or duplicate";
    }
    expect_forked_record(records[4], "alpha", 4);
    EXPECT_EQ(std::count_if(records.begin(), records.end(),
                            [](const json& r) { return r["type"] == "forked"; }),
              1);
}

TEST_F(Fork, TheCliForksOfflineAndTheNextServeRunsTheFork) {
    write_offline_config();
    const auto config = (dir / "serve.yaml").string();
    const auto ran = test::polylogue({"run", config});
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    const auto origin = test::transcript_records(config, "alpha");

    const auto forked = test::polylogue({"fork", config, "alpha", "--at", "3", "--as", "alpha-b"});
    ASSERT_EQ(forked.exit_code, 0) << forked.err;
    EXPECT_NE(forked.out.find("the next serve runs it"), std::string::npos) << forked.out;
    EXPECT_TRUE(std::filesystem::exists(dir / "var" / "rooms" / "alpha-b.yaml"));

    const auto beyond = test::polylogue({"fork", config, "alpha", "--at", "99", "--as", "x"});
    EXPECT_EQ(beyond.exit_code, 2);
    EXPECT_NE(beyond.err.find("is not one of them"), std::string::npos) << beyond.err;
    const auto taken = test::polylogue({"fork", config, "alpha", "--at", "2", "--as", "alpha-b"});
    EXPECT_EQ(taken.exit_code, 2);
    EXPECT_NE(taken.err.find("exists"), std::string::npos) << taken.err;
    const auto unknown = test::polylogue({"fork", config, "nowhere", "--at", "2", "--as", "y"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("no room named 'nowhere'"), std::string::npos) << unknown.err;
    EXPECT_EQ(test::polylogue({"fork", config, "alpha", "--at", "2"}).exit_code, 2);

    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    const json fork = ended_transcript(api, "alpha-b");
    for (std::size_t i = 0; i < 3; ++i) {
        expect_copied(fork[i], origin[i]);
    }
    expect_forked_record(fork[3], "alpha", 3);
    EXPECT_EQ(fork[4]["speaker"], origin[3]["speaker"]);
    EXPECT_EQ(fork[4]["text"], origin[3]["text"]);
}

// A crash between the fork's commit and its room file's rename leaves NAME.fork: the next start
// keeps it when the records are stored, and drops it when they are not.
TEST_F(Fork, AForkInterruptedByACrashIsSettledAtTheNextStart) {
    write_offline_config();
    const auto config = (dir / "serve.yaml").string();
    ASSERT_EQ(test::polylogue({"run", config}).exit_code, 0);
    ASSERT_EQ(test::polylogue({"fork", config, "alpha", "--at", "3", "--as", "kept"}).exit_code, 0);
    const auto rooms = dir / "var" / "rooms";
    std::filesystem::rename(rooms / "kept.yaml", rooms / "kept.fork");
    dir.write("var/rooms/lost.fork", test::read_file(rooms / "kept.fork"));

    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    const auto kept = api.get("/v1/rooms/kept");
    ASSERT_EQ(kept.status, 200) << "a fork whose records were stored did not start";
    EXPECT_EQ(kept.json()["origin"], "alpha");
    EXPECT_TRUE(std::filesystem::exists(rooms / "kept.yaml"));
    EXPECT_FALSE(std::filesystem::exists(rooms / "lost.fork"));
    EXPECT_EQ(api.get("/v1/rooms").json()["rooms"].size(), 2u);
    expect_forked_record(ended_transcript(api, "kept")[3], "alpha", 3);
}

TEST_F(Fork, TheCliForksThroughTheDaemonWhenOneRuns) {
    start(test::room_entry("alpha", 4, "0s"));
    const auto api = serve->api();
    ended_transcript(api, "alpha");
    const auto config = serve->config().string();

    const auto forked = test::polylogue({"fork", config, "alpha", "--at", "3", "--as", "alpha-c"});
    ASSERT_EQ(forked.exit_code, 0) << forked.err;
    EXPECT_NE(forked.out.find("the daemon runs it now"), std::string::npos) << forked.out;
    // Already hosted: only the daemon could have made it (the data_dir lock keeps the CLI off
    // the store while serve runs, and a room made offline would wait for the next start).
    const auto shown = api.get("/v1/rooms/alpha-c");
    ASSERT_EQ(shown.status, 200);
    EXPECT_EQ(shown.json()["origin_seq"], 3);
    expect_forked_record(ended_transcript(api, "alpha-c")[3], "alpha", 3);

    const auto listed = test::polylogue({"rooms", config});
    EXPECT_NE(listed.out.find("(forked from alpha at seq 3)"), std::string::npos) << listed.out;

    const auto refused = test::polylogue({"fork", config, "alpha", "--at", "99", "--as", "z"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("HTTP 400"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace polylogue
