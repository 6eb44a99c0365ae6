// `polylogue serve` with eight scripted rooms, killed with SIGKILL at random moments fifty times
// in a row and restarted each time: afterwards every room holds exactly the records an
// uninterrupted `polylogue run` of the same config writes, in the same order, once each.

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "polylogue/transcript/store.hpp"
#include "serve_fixture.hpp"
#include "support/eventually.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kill_count = 50;
// Most lives end a random moment after the daemon is up (serve.json written), between two turns
// or in a commit; every fifth ends a random moment after spawn, mostly during start-up and
// recovery. Measured from readiness, the kills stay mid-room however slow the start-up is.
constexpr int longest_run_ms = 50;
constexpr int longest_start_ms = 300;
// About 15 s here; the budget keeps a starved machine under ctest's 120 s TIMEOUT with a clear
// message rather than a kill.
constexpr auto time_budget = std::chrono::seconds{90};
// Replies numbered "NAME says n", with commands at fixed places so that joins, temperature
// changes, mutes, refusals and exhaustion happen in the middle of the rooms.
std::string script(const std::string& name, int count, const std::map<int, std::string>& extra) {
    std::string text;
    for (int i = 1; i <= count; ++i) {
        const auto command = extra.find(i);
        text += "- '" + name + " says " + std::to_string(i) +
                (command == extra.end() ? std::string{} : " " + command->second) + "'\n";
    }
    return text;
}

void write_crash_config(const test::temp_dir& dir) {
    dir.write("ada.yaml", script("Ada", 100,
                                 {{2, "!temperature 1.5"},
                                  {4, R"(!add_ai "Curie" "come and count with us")"},
                                  {7, "!mute_self"},
                                  {10, "!temperature hot"},
                                  {12, R"(!add_ai "Dijkstra" "the shortest path is here")"},
                                  {15, R"(!image "a difference engine")"}}));
    dir.write("babbage.yaml", script("Babbage", 100,
                                     {{3, R"(!add_ai "Euler" "e is for everyone")"},
                                      {5, "!temperature 0.2"},
                                      {8, "!mute_self"},
                                      {11, R"(!add_ai "Ada" "again?")"}}));
    dir.write("curie.yaml", script("Curie", 100, {{2, "!temperature 9"}, {4, "!mute_self"}}));
    dir.write("dijkstra.yaml", script("Dijkstra", 100,
                                      {{1, R"(!add_ai "Fermat" "margin too small")"},
                                       {3, R"(!prompt "Answer in one sentence.")"}}));
    dir.write("euler.yaml", script("Euler", 6, {{2, "!mute_self"}}));
    dir.write("gauss.yaml", script("Gauss", 12, {{5, "!temperature 0.7"}}));
    const std::string models =
        "providers:\n"
        "  stage: { kind: scripted }\n"
        "models:\n"
        "  - { name: Ada, provider: stage, script: ada.yaml }\n"
        "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
        "  - { name: Curie, provider: stage, script: curie.yaml, temperature_range: [0, 1.2] }\n"
        "  - { name: Dijkstra, provider: stage, script: dijkstra.yaml }\n"
        "  - { name: Euler, provider: stage, script: euler.yaml }\n"
        "  - { name: Gauss, provider: stage, script: gauss.yaml }\n";
    // Short rooms end during the kills (a restart must leave them ended); long ones run through
    // all fifty. Every restart takes a turn at once, so a room needs more turns than lives.
    const std::string rooms =
        "rooms:\n"
        "  - { name: r1, members: [Ada, Babbage], max_turns: 180, turn_delay: 20ms }\n"
        "  - { name: r2, members: [Ada, Babbage], max_ais: 3, max_turns: 44, turn_delay: 10ms }\n"
        "  - { name: r3, members: [Babbage, Ada, Gauss], max_turns: 160, turn_delay: 15ms }\n"
        "  - { name: r4, members: [Curie, Dijkstra], max_turns: 36, turn_delay: 10ms }\n"
        "  - { name: r5, members: [Euler, Gauss], max_turns: 40, turn_delay: 20ms }\n"
        "  - { name: r6, members: [Dijkstra, Ada, Curie], max_ais: 4, max_turns: 200, "
        "turn_delay: 5ms }\n"
        "  - { name: r7, members: [Gauss, Babbage], max_turns: 46, turn_delay: 20ms }\n"
        "  - { name: r8, members: [Babbage, Euler, Ada], max_turns: 150, turn_delay: 20ms }\n";
    dir.write("serve.yaml",
              "data_dir: var\n"
              "control: { listen: 127.0.0.1:0, token_env: PL_TEST_CONTROL_TOKEN }\n"
              "shutdown_grace: 2s\n" +
                  models + rooms);
}

const std::vector<std::string> room_names{"r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"};

// Every room's records, read from the store while no daemon runs.
std::map<std::string, std::vector<json>> stored_records(const std::filesystem::path& data_dir) {
    std::map<std::string, std::vector<json>> rooms;
    auto db = transcript::store::open(data_dir / "transcripts.db");
    if (!db) {
        ADD_FAILURE() << "cannot open the store: " << db.error().message();
        return rooms;
    }
    for (const auto& name : room_names) {
        auto records = (*db)->load(name);
        if (!records) {
            ADD_FAILURE() << "cannot load " << name << ": " << records.error().message();
            continue;
        }
        auto& list = rooms[name];
        for (const auto& r : *records) {
            list.push_back(core::to_json(r));
        }
    }
    return rooms;
}

bool ended(const std::vector<json>& records) {
    return !records.empty() && records.back()["type"] == "room_ended";
}

bool started(const std::vector<json>& records) {
    for (const auto& r : records) {
        if (r["type"] == "message") {
            return true;
        }
    }
    return false;
}

std::size_t total_size(const std::map<std::string, std::vector<json>>& rooms) {
    std::size_t count = 0;
    for (const auto& [name, records] : rooms) {
        count += records.size();
    }
    return count;
}

// The records as an uninterrupted run must have written them: everything but the clock.
std::vector<json> timeless(std::vector<json> records) {
    for (auto& r : records) {
        r.erase("time");
    }
    return records;
}

void expect_complete_and_unrepeated(const std::string& room, const std::vector<json>& records) {
    std::set<std::pair<std::string, std::string>> said;
    int ends = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        ASSERT_EQ(records[i]["seq"], i + 1) << room << ": a gap or a repeat in the seqs";
        if (records[i]["type"] == "message") {
            // Every scripted reply is unique ("Ada says 7"), so a repeat is a replayed turn.
            EXPECT_TRUE(said.emplace(records[i]["speaker"], records[i]["text"]).second)
                << room << ": said twice: " << records[i].dump();
        }
        ends += records[i]["type"] == "room_ended" ? 1 : 0;
    }
    EXPECT_EQ(ends, 1) << room;
    EXPECT_TRUE(ended(records)) << room << " did not end";
}

struct kill_tally {
    int mid_room = 0;       // some room had begun and some room had not ended
    int rooms_cut = 0;      // rooms begun and not ended, summed over the kills
    int with_progress = 0;  // the life committed at least one record
};

// One life: spawn, wait a random moment, SIGKILL; then what the store holds.
void live_and_die(const test::temp_dir& dir, std::mt19937& random, kill_tally& tally,
                  std::size_t& records_before) {
    const bool during_start = std::uniform_int_distribution<int>{0, 4}(random) == 0;
    const int wait_ms = std::uniform_int_distribution<int>{
        0, during_start ? longest_start_ms : longest_run_ms}(random);
    std::filesystem::remove(dir / "var" / "serve.json");
    test::child_process child{{test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}};
    if (!during_start) {
        ASSERT_NE(test::wait_for_serve_port(dir / "var", 20s), 0) << "the daemon did not start";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{wait_ms});
    child.send(SIGKILL);
    const auto killed = child.wait(10s);
    ASSERT_EQ(killed.signal, SIGKILL) << "the daemon died before the kill: " << killed.err;
    const auto rooms = stored_records(dir / "var");
    bool any_started = false;
    bool any_unfinished = false;
    for (const auto& name : room_names) {
        const auto found = rooms.find(name);
        const bool begun = found != rooms.end() && started(found->second);
        const bool unfinished = found == rooms.end() || !ended(found->second);
        any_started |= begun;
        any_unfinished |= unfinished;
        tally.rooms_cut += begun && unfinished ? 1 : 0;
    }
    tally.mid_room += any_started && any_unfinished ? 1 : 0;
    const std::size_t now = total_size(rooms);
    tally.with_progress += now > records_before ? 1 : 0;
    records_before = now;
}

// The last life: serve until every room has ended, then SIGTERM.
void serve_to_the_end(const test::temp_dir& dir) {
    std::filesystem::remove(dir / "var" / "serve.json");
    test::child_process child{{test::polylogue_binary(), "serve", (dir / "serve.yaml").string()}};
    const auto port = test::wait_for_serve_port(dir / "var", 20s);
    ASSERT_NE(port, 0) << "the daemon did not start";
    const test::api_client api{port, test::control_token};
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto rooms = api.get("/v1/rooms").json();
            bool all_ended = rooms.is_object() && rooms["rooms"].size() == room_names.size();
            for (const auto& room : all_ended ? rooms["rooms"] : json::array()) {
                all_ended &= room["state"] == "ended";
            }
            return all_ended;
        },
        30s))
        << "some room never ended";
    child.send(SIGTERM);
    const auto stopped = child.wait(10s);
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

std::uint32_t crash_seed() {
    if (const char* given = std::getenv("POLYLOGUE_CRASH_SEED")) {
        return static_cast<std::uint32_t>(std::strtoul(given, nullptr, 10));
    }
    return std::random_device{}();
}

TEST(CrashServe, FiftySigkillsAtRandomMomentsLoseAndRepeatNothing) {
    const std::uint32_t seed = crash_seed();
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (rerun with POLYLOGUE_CRASH_SEED=" + std::to_string(seed) + ")");
    ::setenv("PL_TEST_CONTROL_TOKEN", test::control_token, 1);

    test::temp_dir uninterrupted;
    write_crash_config(uninterrupted);
    const auto reference = test::polylogue({"run", (uninterrupted / "serve.yaml").string()});
    ASSERT_EQ(reference.exit_code, 0) << reference.err;
    const auto expected = stored_records(uninterrupted / "var");

    test::temp_dir crashed;
    write_crash_config(crashed);
    std::mt19937 random{seed};
    kill_tally tally;
    std::size_t records_so_far = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int kill = 0; kill < kill_count; ++kill) {
        ASSERT_NO_FATAL_FAILURE(live_and_die(crashed, random, tally, records_so_far))
            << "kill " << kill;
        ASSERT_LT(std::chrono::steady_clock::now() - started, time_budget)
            << "over the time budget after " << kill + 1 << " kills";
    }
    EXPECT_GE(tally.mid_room, kill_count * 4 / 5)
        << "most kills must land while rooms run; lives with progress: " << tally.with_progress;
    EXPECT_GE(tally.with_progress, kill_count / 5) << "too many kills before the first commit";
    ASSERT_NO_FATAL_FAILURE(serve_to_the_end(crashed));

    const auto survived = stored_records(crashed / "var");
    for (const auto& name : room_names) {
        ASSERT_TRUE(expected.count(name) && survived.count(name)) << name;
        expect_complete_and_unrepeated(name, survived.at(name));
        EXPECT_EQ(timeless(survived.at(name)), timeless(expected.at(name))) << name;
    }
    std::cout << "[ crash    ] " << kill_count << " kills, " << tally.mid_room << " mid-room ("
              << tally.rooms_cut << " rooms cut mid-way in all), " << tally.with_progress
              << " after progress, " << total_size(survived) << " records, "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s, seed " << seed << "\n";
}

}  // namespace
}  // namespace polylogue
