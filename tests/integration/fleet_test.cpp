// A fleet of `polylogue serve --node NAME` processes on one PostgreSQL store (a real server
// started by the test): a SIGKILLed node's rooms move to the others within the lease and a
// renewal, and end exactly as an uninterrupted run ends them; a paused node's late writes are
// refused by the fence; a restarted node takes rooms only as leases come free; an operator's
// message sent to a node that does not own the room lands in the room.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <set>

#include "polylogue/transcript/store.hpp"
#include "support/eventually.hpp"
#include "support/fake_server.hpp"
#include "support/fleet.hpp"
#include "support/provider_streams.hpp"

namespace polylogue {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr auto lease = 2000ms;
// Beyond lease + renewal: a turn_delay, loading the room and the write, on a loaded machine.
constexpr auto failover_slack = 1500ms;

// "NAME says n", count of them: every reply of the fleet is unique, so a repeat is a replayed
// turn, and the order is what an uninterrupted run says.
std::string script_of(const std::string& name, int count) {
    std::string text;
    for (int i = 1; i <= count; ++i) {
        text += "- \"" + name + " says " + std::to_string(i) + "\"\n";
    }
    return text;
}

const std::string scripted_models =
    "providers:\n"
    "  stage: { kind: scripted }\n"
    "models:\n"
    "  - { name: Ada, provider: stage, script: ada.yaml }\n"
    "  - { name: Babbage, provider: stage, script: babbage.yaml }\n"
    "  - { name: Curie, provider: stage, script: curie.yaml }\n";

std::vector<std::string> room_names(int count) {
    std::vector<std::string> names;
    for (int i = 1; i <= count; ++i) {
        names.push_back("room" + std::to_string(i));
    }
    return names;
}

std::string scripted_rooms(int count, int max_turns, const std::string& delay) {
    std::string rooms;
    for (const auto& name : room_names(count)) {
        rooms += "  - { name: " + name +
                 ", members: [Ada, Babbage, Curie], max_turns: " + std::to_string(max_turns) +
                 ", turn_delay: " + delay + " }\n";
    }
    return rooms;
}

void write_scripts(const test::fleet& fleet) {
    fleet.dir().write("ada.yaml", script_of("Ada", 300));
    fleet.dir().write("babbage.yaml", script_of("Babbage", 300));
    fleet.dir().write("curie.yaml", script_of("Curie", 300));
}

std::string all_output(test::fleet& fleet, const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) {
        text += fleet.node(name).output();
    }
    return text;
}

// Per node, how many rooms it holds now.
// Whether every room is leased, no node holds more than its fair share (ceil(rooms / nodes):
// the nodes rebalance to it) and every room has begun.
bool settled(test::fleet& fleet, std::size_t rooms, std::size_t nodes) {
    if (!fleet.shared_out(rooms, nodes)) {
        return false;
    }
    std::size_t begun = 0;
    for (const auto& [room, seq] : fleet.last_seqs()) {
        begun += seq >= 2 ? 1 : 0;
    }
    return begun == rooms;
}

// Starts the nodes and waits until the rooms are shared out among them and running.
void start_fleet(test::fleet& fleet, const std::vector<std::string>& names, std::size_t rooms) {
    for (const auto& name : names) {
        ASSERT_TRUE(fleet.add_node(name).start()) << name << " did not start\n"
                                                  << fleet.node(name).output();
    }
    ASSERT_TRUE(test::eventually([&] { return settled(fleet, rooms, names.size()); }, 15s))
        << "the rooms were not shared out and running\n"
        << all_output(fleet, names);
}

// The node holding the most rooms, and those rooms.
std::pair<std::string, std::vector<std::string>> busiest(test::fleet& fleet) {
    std::map<std::string, std::vector<std::string>> by_node;
    for (const auto& [room, node] : fleet.held_leases()) {
        by_node[node].push_back(room);
    }
    std::pair<std::string, std::vector<std::string>> most;
    for (auto& [node, rooms] : by_node) {
        if (rooms.size() > most.second.size()) {
            most = {node, rooms};
        }
    }
    return most;
}

// Seqs 1..n, each once, and no AI message twice; returns the records' bodies.
std::vector<json> check_gapless(test::fleet& fleet, const std::string& room) {
    std::vector<json> bodies;
    std::set<std::pair<std::string, std::string>> said;
    const auto records = fleet.records(room);
    for (std::size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].seq, static_cast<std::int64_t>(i + 1)) << room << ": a gap";
        bodies.push_back(records[i].body);
    }
    for (const auto& message : test::ai_messages(bodies)) {
        EXPECT_TRUE(said.insert(message).second)
            << room << ": said twice: " << message.first << " " << message.second;
    }
    return bodies;
}

bool all_ended(test::fleet& fleet, std::size_t rooms) {
    return fleet.sql().value(
               "SELECT count(DISTINCT room) FROM records WHERE type = 'room_ended'") ==
           std::to_string(rooms);
}

// Each room's AI messages as an uninterrupted run of the same config writes them (sqlite).
std::map<std::string, std::vector<std::pair<std::string, std::string>>> reference_messages(
    const test::fleet& fleet, const std::vector<std::string>& rooms) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> expected;
    auto store = transcript::store::open(fleet.dir() / "solo" / "transcripts.db");
    if (!store) {
        ADD_FAILURE() << "no reference store: " << store.error().message();
        return expected;
    }
    for (const auto& room : rooms) {
        const auto records = (*store)->load(room);
        if (!records) {
            ADD_FAILURE() << "cannot load the reference " << room;
            continue;
        }
        std::vector<json> bodies;
        for (const auto& r : *records) {
            bodies.push_back(core::to_json(r));
        }
        expected[room] = test::ai_messages(bodies);
    }
    return expected;
}

void stop_all(test::fleet& fleet, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        auto& node = fleet.node(name);
        if (node.running()) {
            const auto stopped = node.stop();
            EXPECT_EQ(stopped.exit_code, 0) << name << " did not stop cleanly\n" << stopped.err;
        }
    }
}

double seconds(steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

TEST(Fleet, AKilledNodesRoomsMoveOnWithinTheLeaseAndEndAsAnUninterruptedRun) {
    const auto rooms = room_names(6);
    test::fleet fleet{scripted_models, scripted_rooms(6, 36, "150ms"), lease};
    write_scripts(fleet);
    // The reference runs meanwhile: the same rooms, one process, the embedded store.
    test::child_process reference{{test::polylogue_binary(), "run", fleet.solo_config().string()}};
    const std::vector<std::string> names{"north", "south", "east"};
    ASSERT_NO_FATAL_FAILURE(start_fleet(fleet, names, rooms.size()));

    const auto busiest_node = busiest(fleet);
    const auto& victim = busiest_node.first;
    const auto& victim_rooms = busiest_node.second;
    ASSERT_FALSE(victim_rooms.empty());
    const auto killed_at = steady_clock::now();
    fleet.node(victim).kill();
    // Read after the kill: a higher seq can only come from another node.
    const auto at_kill = fleet.last_seqs();
    std::map<std::string, steady_clock::duration> moved;
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto now = fleet.last_seqs();
            for (const auto& room : victim_rooms) {
                if (!moved.count(room) && now.at(room) > at_kill.at(room)) {
                    moved[room] = steady_clock::now() - killed_at;
                }
            }
            return moved.size() == victim_rooms.size();
        },
        20s, 10ms))
        << victim << "'s rooms did not move\n"
        << all_output(fleet, names);
    const auto bound = lease + lease / 3 + failover_slack;
    for (const auto& [room, after] : moved) {
        EXPECT_LE(after, bound) << room << " took its next turn " << seconds(after) << " s after "
                                << victim << " was killed";
        std::cout << "[ failover ] " << room << ": " << seconds(after) << " s\n";
    }
    for (const auto& [room, node] : fleet.held_leases()) {
        EXPECT_NE(node, victim) << room << " is still leased to the dead node";
    }

    ASSERT_TRUE(test::eventually([&] { return all_ended(fleet, rooms.size()); }, 60s))
        << "not every room ended\n"
        << all_output(fleet, names);
    const auto ran = reference.wait(60s);
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    const auto expected = reference_messages(fleet, rooms);
    for (const auto& room : rooms) {
        const auto bodies = check_gapless(fleet, room);
        EXPECT_EQ(test::ai_messages(bodies), expected.at(room)) << room;
        EXPECT_EQ(bodies.back().value("type", ""), "room_ended") << room;
    }
    stop_all(fleet, names);
}

TEST(Fleet, APausedNodesLateWritesAreRefusedByTheFence) {
    test::fake_server provider;
    std::atomic<int> replies{0};
    // Every reply is held a while, so the paused node has a turn in flight.
    provider.on_request([&](const test::recorded_request&) {
        auto answer =
            test::fake_response::sse(test::openai_stream("reply " + std::to_string(++replies)));
        answer.header_delay = 600ms;
        return answer;
    });
    test::scoped_env key;
    key.set("PL_FLEET_KEY", "sk-fleet-0123456789");
    const std::string models =
        "providers:\n  api: { kind: openai, base_url: " + provider.base_url() +
        "/v1, api_key_env: PL_FLEET_KEY }\n"
        "models:\n"
        "  - { name: Slow, provider: api, id: slow-1 }\n"
        "  - { name: Slower, provider: api, id: slow-2 }\n";
    const std::string rooms =
        "  - { name: held, members: [Slow, Slower], max_turns: 60, turn_delay: 0s }\n";
    test::fleet fleet{models, rooms, lease};
    // The first node takes the room; the second, started next, finds its fair share (one room
    // for two nodes) already held.
    ASSERT_NO_FATAL_FAILURE(start_fleet(fleet, {"first"}, 1));
    ASSERT_TRUE(fleet.add_node("second").start()) << fleet.node("second").output();

    auto& paused = fleet.node("first");
    const auto asked = provider.requests().size();
    ASSERT_TRUE(test::eventually([&] { return provider.requests().size() > asked; }, 5s, 1ms));
    paused.pause();  // within the reply's 600 ms: a turn is in flight
    const auto at_pause = fleet.last_seqs().at("held");
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto held = fleet.held_leases();
            return held.count("held") && held.at("held") == "second" &&
                   fleet.last_seqs().at("held") > at_pause;
        },
        lease + lease / 3 + failover_slack + 2s))
        << "the second node did not take over\n"
        << all_output(fleet, {"first", "second"});
    paused.resume();
    EXPECT_TRUE(
        test::eventually([&] { return paused.metric("polylogue_fenced_writes_total") > 0; }, 10s))
        << "no late write was refused\n"
        << all_output(fleet, {"first", "second"});
    // Resumed, the paused node finds it lost the room and leaves it to the second.
    EXPECT_TRUE(test::eventually([&] { return paused.metric("polylogue_leases_held") == 0; }, 5s));
    EXPECT_EQ(fleet.held_leases().at("held"), "second");
    stop_all(fleet, {"first", "second"});
    std::set<std::string> texts;
    for (const auto& [speaker, text] : test::ai_messages(check_gapless(fleet, "held"))) {
        EXPECT_TRUE(texts.insert(text).second) << text << " is in the store twice";
    }
}

TEST(Fleet, ARestartedNodeTakesRoomsOnlyAsLeasesComeFree) {
    const auto rooms = room_names(4);
    test::fleet fleet{scripted_models, scripted_rooms(4, 160, "200ms"), lease};
    write_scripts(fleet);
    const std::vector<std::string> names{"left", "right"};
    ASSERT_NO_FATAL_FAILURE(start_fleet(fleet, names, rooms.size()));
    const std::string victim = busiest(fleet).first;
    const std::string survivor = victim == "left" ? "right" : "left";
    fleet.node(victim).kill();
    ASSERT_TRUE(test::eventually([&] { return fleet.shares()[survivor] == rooms.size(); },
                                 lease + lease / 3 + failover_slack + 2s))
        << survivor << " did not take every room\n"
        << all_output(fleet, names);

    // Back, it gets its share only as the survivor gives rooms back (one per renewal): a lease
    // taken from a live node would show as the survivor's refused writes.
    ASSERT_TRUE(fleet.node(victim).start()) << fleet.node(victim).output();
    ASSERT_TRUE(test::eventually([&] { return settled(fleet, rooms.size(), 2); }, 4 * lease))
        << "the rooms were not shared out again\n"
        << all_output(fleet, names);
    EXPECT_EQ(fleet.shares()[victim], 2U);
    EXPECT_EQ(fleet.node(survivor).metric("polylogue_fenced_writes_total"), 0)
        << "a lease was taken from the live " << survivor;
    EXPECT_EQ(fleet.node(victim).metric("polylogue_leases_held"), 2);

    // A clean stop releases its leases at once (and no longer counts as live), so the other
    // node takes the rooms at its next look, without waiting for a lease to expire.
    const auto stopped = fleet.node(survivor).stop();
    const auto stopped_at = steady_clock::now();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    EXPECT_EQ(fleet.sql().value("SELECT count(*) FROM leases WHERE node = '" + survivor +
                                "' AND expires_at > now()"),
              "0")
        << survivor << " stopped without releasing its leases";
    const auto at_stop = fleet.last_seqs();
    ASSERT_TRUE(test::eventually([&] { return fleet.shares()[victim] == rooms.size(); },
                                 lease / 3 + failover_slack))
        << victim << " did not take the released rooms\n"
        << fleet.node(victim).output();
    std::cout << "[ handover ] " << victim << " held every room "
              << seconds(steady_clock::now() - stopped_at) << " s after " << survivor
              << " stopped\n";
    EXPECT_TRUE(test::eventually(
        [&] {
            const auto now = fleet.last_seqs();
            return std::all_of(rooms.begin(), rooms.end(),
                               [&](const auto& room) { return now.at(room) > at_stop.at(room); });
        },
        5s))
        << "the rooms did not go on on " << victim;
    EXPECT_EQ(fleet.node(victim).metric("polylogue_fenced_writes_total"), 0);
    stop_all(fleet, {victim});
    for (const auto& room : rooms) {
        check_gapless(fleet, room);
    }
}

TEST(Fleet, AMessageSentToANodeThatDoesNotOwnTheRoomLandsInIt) {
    test::fleet fleet{scripted_models, scripted_rooms(2, 80, "200ms"), lease};
    write_scripts(fleet);
    const std::vector<std::string> names{"here", "there"};
    ASSERT_NO_FATAL_FAILURE(start_fleet(fleet, names, 2));
    const auto held = fleet.held_leases();
    const std::string room = held.begin()->first;
    const std::string owner = held.begin()->second;
    const auto other = owner == "here" ? std::string{"there"} : std::string{"here"};
    auto& messenger = fleet.node(other);

    const auto listing = messenger.api().get("/v1/rooms").json();
    bool listed = false;
    for (const auto& entry : listing["rooms"]) {
        if (entry.value("name", "") == room) {
            listed = true;
            EXPECT_EQ(entry.value("owner", json{}), owner) << entry.dump();
            EXPECT_EQ(entry.value("owned_here", true), false) << entry.dump();
        }
    }
    EXPECT_TRUE(listed) << listing.dump();

    const std::string text = "a word through a node that does not own " + room;
    const auto answer = messenger.api().post("/v1/rooms/" + room + "/messages",
                                             {{"speaker", "janus"}, {"text", text}});
    ASSERT_EQ(answer.status, 201) << answer.body;
    const auto seq = answer.json().value("seq", std::int64_t{0});
    ASSERT_GT(seq, 0) << answer.body;
    const auto records = fleet.records(room);
    ASSERT_GE(records.size(), static_cast<std::size_t>(seq)) << "not durable when answered";
    const auto& landed = records[static_cast<std::size_t>(seq - 1)];
    EXPECT_EQ(landed.type, "message");
    EXPECT_EQ(landed.body.value("speaker", ""), "janus");
    EXPECT_EQ(landed.body.value("text", ""), text);
    // The room goes on past it, on its owner.
    EXPECT_TRUE(test::eventually([&] { return fleet.last_seqs().at(room) > seq + 1; }, 5s));
    EXPECT_EQ(fleet.held_leases().at(room), owner);
    stop_all(fleet, names);
    check_gapless(fleet, room);
}

}  // namespace
}  // namespace polylogue
