// Rooms managed while they run, against the real daemon: PATCH /v1/rooms/ROOM (settings_changed),
// taking a member out (left), and archiving (DELETE).

#include <gtest/gtest.h>

#include <signal.h>

#include <string>

#include "managed_daemon.hpp"
#include "support/eventually.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using test::first_of_type;
using test::managed_daemon;
using test::records_of;

TEST(ManagedRoom, PatchChangesMaxTurnsWhileTheRoomRuns) {
    test::temp_dir dir;
    managed_daemon serve{dir, test::room_entry("alpha", 400, "200ms")};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/alpha").json()["turns"] >= 2; }));
    const int limit = api.get("/v1/rooms/alpha").json()["turns"].get<int>() + 5;
    const auto patched = api.call("PATCH", "/v1/rooms/alpha", json{{"max_turns", limit}}.dump(),
                                  {{"content-type", "application/json"}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json()["settings"]["max_turns"], limit);
    EXPECT_EQ(patched.json()["overridden"], json::array({"max_turns"}));
    ASSERT_TRUE(
        test::eventually([&] { return api.get("/v1/rooms/alpha").json()["state"] == "ended"; }));
    const auto room = api.get("/v1/rooms/alpha").json();
    EXPECT_EQ(room["turns"], limit);
    EXPECT_EQ(room["end_reason"], "reached max_turns (" + std::to_string(limit) + " AI turns)");
    const auto changed = first_of_type(records_of(api, "alpha"), "settings_changed");
    ASSERT_FALSE(changed.is_null());
    EXPECT_EQ(changed["settings"], (json{{"max_turns", limit}}));
    EXPECT_NE(changed["text"].get<std::string>().find("changed max_turns 400 -> " +
                                                      std::to_string(limit)),
              std::string::npos)
        << changed.dump();
    serve.stop();
}

TEST(ManagedRoom, PatchIsKeptAcrossARestartAndASighupDoesNotSilentlyUndoIt) {
    test::temp_dir dir;
    managed_daemon serve{dir, test::room_entry("alpha", 400, "100ms")};
    const auto api = serve.api();
    ASSERT_EQ(api.call("PATCH", "/v1/rooms/alpha", R"({"max_turns": 1000})",
                       {{"content-type", "application/json"}})
                  .status,
              200);
    serve.restart();
    const auto after_restart = serve.api().get("/v1/rooms/alpha").json();
    EXPECT_EQ(after_restart["settings"]["max_turns"], 1000);
    EXPECT_EQ(after_restart["max_turns"], 1000);
    EXPECT_EQ(after_restart["overridden"], json::array({"max_turns"}));

    serve.write_config(test::room_entry("alpha", 300, "100ms"));
    serve.signal(SIGHUP);
    ASSERT_TRUE(test::eventually([&] {
        return serve.log().find(
                   "the reloaded config changes max_turns from 400 to 300, but an "
                   "operator set it to 1000") != std::string::npos;
    })) << serve.log();
    EXPECT_EQ(serve.api().get("/v1/rooms/alpha").json()["settings"]["max_turns"], 1000);

    // null: back to the file's value, which is now 300.
    const auto reset = serve.api().call("PATCH", "/v1/rooms/alpha", R"({"max_turns": null})",
                                        {{"content-type", "application/json"}});
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(reset.json()["settings"]["max_turns"], 300);
    EXPECT_EQ(reset.json()["overridden"], json::array());
    serve.stop();
}

TEST(ManagedRoom, PatchWithABadValueIsRefusedAtItsKey) {
    test::temp_dir dir;
    managed_daemon serve{dir, test::room_entry("alpha", 400, "200ms")};
    const auto api = serve.api();
    const auto patch = [&](const std::string& body) {
        return api.call("PATCH", "/v1/rooms/alpha", body, {{"content-type", "application/json"}});
    };
    const auto bad = patch(R"({"turn_delay": "1s", "max_turns": -3})");
    ASSERT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json()["error"]["code"], "invalid_settings");
    EXPECT_EQ(bad.json()["error"]["message"],
              "body:1:35: max_turns must be an integer from 1 to 1000000");
    EXPECT_NE(patch(R"({"members": ["Ada"]})")
                  .json()["error"]["message"]
                  .get<std::string>()
                  .find("unknown key 'members'"),
              std::string::npos);
    EXPECT_NE(patch(R"({"turn_order": "selector"})")
                  .json()["error"]["message"]
                  .get<std::string>()
                  .find("needs a selector"),
              std::string::npos);
    EXPECT_EQ(patch("{}").status, 400);
    EXPECT_EQ(api.call("PATCH", "/v1/rooms/nowhere", R"({"max_turns": 5})",
                       {{"content-type", "application/json"}})
                  .status,
              404);
    // Nothing was recorded and the room runs by the file.
    EXPECT_TRUE(first_of_type(records_of(api, "alpha"), "settings_changed").is_null());
    EXPECT_EQ(api.get("/v1/rooms/alpha").json()["settings"]["max_turns"], 400);
    serve.stop();
}

TEST(ManagedRoom, ARemovedMembersSeatGoesToTheNextInviteeUnderANewLabel) {
    test::temp_dir dir;
    managed_daemon serve{dir,
                         "  - { name: club, members: [Host, Babbage], max_ais: 2, max_turns: 200, "
                         "turn_delay: 100ms }\n"};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/club").json()["turns"] >= 2; }));
    const auto removed = api.post("/v1/rooms/club/members/AI-2/remove", {{"by", "Alice"}});
    ASSERT_EQ(removed.status, 200) << removed.body;
    ASSERT_TRUE(test::eventually([&] {
        return !first_of_type(records_of(api, "club"), "join", 2).is_null();
    })) << records_of(api, "club").dump(1);
    const auto records = records_of(api, "club");
    const auto left = first_of_type(records, "left");
    ASSERT_FALSE(left.is_null());
    EXPECT_EQ(left["speaker"], "AI-2");
    EXPECT_EQ(left["text"], "AI-2 (Babbage) was taken out of the room by Alice");
    const auto joined = first_of_type(records, "join", 2);
    EXPECT_EQ(joined["speaker"], "AI-3");
    EXPECT_EQ(joined["model"], "Curie");
    for (const auto& r : records) {
        if (r["seq"] > left["seq"]) {
            EXPECT_NE(r.value("speaker", ""), "AI-2") << "a member that left spoke: " << r.dump();
        }
    }
    EXPECT_EQ(api.post("/v1/rooms/club/members/AI-2/remove", json::object()).status, 404);
    EXPECT_EQ(api.post("/v1/rooms/club/members/AI-9/remove", json::object()).status, 404);
    EXPECT_EQ(api.post("/v1/rooms/club/members/AI-1/remove", {{"by", "AI-2"}}).status, 400);
    serve.stop();
}

TEST(ManagedRoom, DeleteArchivesTheRoomWhichStaysArchivedAfterARestart) {
    test::temp_dir dir;
    managed_daemon serve{
        dir, test::room_entry("alpha", 400, "100ms") + test::room_entry("beta", 400, "100ms")};
    const auto api = serve.api();
    ASSERT_TRUE(test::eventually([&] { return api.get("/v1/rooms/alpha").json()["turns"] >= 1; }));
    const auto archived = api.call("DELETE", "/v1/rooms/alpha", R"({"by": "Alice"})",
                                   {{"content-type", "application/json"}});
    ASSERT_EQ(archived.status, 200) << archived.body;
    EXPECT_EQ(archived.json()["state"], "ended");
    EXPECT_EQ(archived.json()["archived"], true);
    EXPECT_EQ(api.call("DELETE", "/v1/rooms/alpha").status, 409);

    const auto listed = api.get("/v1/rooms").json()["rooms"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["name"], "beta");
    EXPECT_EQ(api.get("/v1/rooms?all=1").json()["rooms"].size(), 2u);
    const auto records = records_of(api, "alpha");
    ASSERT_GE(records.size(), 2u);
    EXPECT_EQ(records[records.size() - 2]["type"], "room_ended");
    EXPECT_EQ(records[records.size() - 2]["text"], "archived by Alice");
    EXPECT_EQ(records.back()["type"], "archived");
    const auto last_seq = records.back()["seq"];

    serve.restart();
    const auto again = serve.api();
    EXPECT_EQ(again.get("/v1/rooms").json()["rooms"].size(), 1u);
    const auto room = again.get("/v1/rooms/alpha").json();
    EXPECT_EQ(room["archived"], true);
    EXPECT_EQ(room["last_seq"], last_seq) << "an archived room ran after the restart";
    EXPECT_EQ(records_of(again, "alpha").back()["type"], "archived");
    const auto cli = test::polylogue({"rooms", (dir.path() / "serve.yaml").string()});
    EXPECT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(cli.out.find("alpha"), std::string::npos) << cli.out;
    EXPECT_NE(cli.out.find("beta"), std::string::npos) << cli.out;
    serve.stop();
}

}  // namespace
}  // namespace polylogue
