// The fleet benchmark (docs/performance.md, "A fleet"): numbers, not assertions.
//   throughput: scripted rooms without turn_delay served by 1, then 2 nodes on one PostgreSQL;
//               turns (records) per second over a window once the rooms are shared out.
//   failover:   SIGKILL the node that holds rooms, N times; for each of its rooms, the time
//               from the kill until another node commits the room's next record; min, median
//               and max against lease + lease/3.
// Usage: fleet_bench [--rooms N] [--window SECONDS] [--kills N] [--lease MS] [--only
// throughput|failover]. The PostgreSQL is the tests' (fsync off): it measures the fleet's
// protocol and the nodes, not a disk.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.hpp"
#include "support/fleet.hpp"

namespace {

using namespace polylogue;
using namespace std::chrono_literals;
using std::chrono::steady_clock;

struct bench_options {
    int rooms = 40;
    int window_seconds = 10;
    int kills = 20;
    std::chrono::milliseconds lease{2000};
    std::string only;
};

std::string script_of(const std::string& name, int count) {
    std::string text;
    for (int i = 1; i <= count; ++i) {
        text += "- \"" + name + " says " + std::to_string(i) + "\"\n";
    }
    return text;
}

const std::string models =
    "providers:\n"
    "  stage: { kind: scripted }\n"
    "models:\n"
    "  - { name: Ada, provider: stage, script: ada.yaml }\n"
    "  - { name: Babbage, provider: stage, script: babbage.yaml }\n";

std::string rooms_yaml(int count, int max_turns, const std::string& delay) {
    std::string rooms;
    for (int i = 1; i <= count; ++i) {
        rooms += "  - { name: r" + std::to_string(i) +
                 ", members: [Ada, Babbage], max_turns: " + std::to_string(max_turns) +
                 ", turn_delay: " + delay + " }\n";
    }
    return rooms;
}

void write_scripts(const test::fleet& fleet, int count) {
    fleet.dir().write("ada.yaml", script_of("Ada", count));
    fleet.dir().write("babbage.yaml", script_of("Babbage", count));
}

std::int64_t record_count(test::fleet& fleet) {
    return std::stoll(fleet.sql().value("SELECT count(*) FROM records"));
}

double seconds(steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

// Records per second with `nodes` nodes over the window, once the rooms are shared out.
bool measure_throughput(const bench_options& options, int nodes) {
    // Enough turns that no room ends within the window: even at 5,000 turns/s in all.
    const int turns = 5000 * options.window_seconds / options.rooms + 200;
    test::fleet fleet{models, rooms_yaml(options.rooms, turns, "0s"), options.lease};
    write_scripts(fleet, turns);
    std::vector<std::string> names;
    for (int i = 1; i <= nodes; ++i) {
        names.push_back("node" + std::to_string(i));
        if (!fleet.add_node(names.back()).start()) {
            std::cerr << names.back() << " did not start\n" << fleet.node(names.back()).output();
            return false;
        }
    }
    const auto rooms = static_cast<std::size_t>(options.rooms);
    if (!test::eventually([&] { return fleet.shared_out(rooms, names.size()); }, 60s)) {
        std::cerr << "the rooms were not shared out\n";
        return false;
    }
    const auto first = record_count(fleet);
    const auto started = steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds{options.window_seconds});
    const auto last = record_count(fleet);
    const double elapsed = seconds(steady_clock::now() - started);
    std::cout << "throughput: " << nodes << " node(s), " << options.rooms
              << " rooms: " << std::fixed << std::setprecision(0)
              << static_cast<double>(last - first) / elapsed << " records/s over "
              << std::setprecision(1) << elapsed << " s" << std::endl;
    for (const auto& name : names) {
        fleet.node(name).stop();
    }
    return true;
}

struct kill_outcome {
    std::vector<double> per_room;  // seconds from the kill to the room's next record
};

// One kill of the node holding the most rooms; false when the fleet did not recover.
bool kill_once(test::fleet& fleet, const std::vector<std::string>& names, std::size_t rooms,
               kill_outcome& outcome) {
    if (!test::eventually([&] { return fleet.shared_out(rooms, names.size()); }, 30s)) {
        std::cerr << "the rooms were not shared out before a kill\n";
        return false;
    }
    std::map<std::string, std::vector<std::string>> by_node;
    for (const auto& [room, node] : fleet.held_leases()) {
        by_node[node].push_back(room);
    }
    const auto victim = std::max_element(by_node.begin(), by_node.end(), [](auto& a, auto& b) {
                            return a.second.size() < b.second.size();
                        })->first;
    const auto victim_rooms = by_node[victim];
    const auto killed_at = steady_clock::now();
    fleet.node(victim).kill();
    const auto at_kill = fleet.last_seqs();
    std::map<std::string, double> moved;
    const bool all_moved = static_cast<bool>(test::eventually(
        [&] {
            const auto now = fleet.last_seqs();
            for (const auto& room : victim_rooms) {
                if (!moved.count(room) && now.at(room) > at_kill.at(room)) {
                    moved[room] = seconds(steady_clock::now() - killed_at);
                }
            }
            return moved.size() == victim_rooms.size();
        },
        30s, 5ms));
    for (const auto& [room, after] : moved) {
        outcome.per_room.push_back(after);
    }
    if (!all_moved) {
        std::cerr << "some of " << victim << "'s rooms did not move\n";
        return false;
    }
    return fleet.node(victim).start();
}

bool measure_failover(const bench_options& options) {
    // Rooms that outlast every kill: turns keep coming, so each room's next record follows its
    // takeover by a turn_delay.
    const int turns = 4000;
    const int rooms = 6;
    test::fleet fleet{models, rooms_yaml(rooms, turns, "50ms"), options.lease};
    write_scripts(fleet, turns);
    const std::vector<std::string> names{"alpha", "beta", "gamma"};
    for (const auto& name : names) {
        if (!fleet.add_node(name).start()) {
            std::cerr << name << " did not start\n";
            return false;
        }
    }
    kill_outcome outcome;
    for (int kill = 0; kill < options.kills; ++kill) {
        if (!kill_once(fleet, names, rooms, outcome)) {
            return false;
        }
    }
    auto& times = outcome.per_room;
    std::sort(times.begin(), times.end());
    const double bound = seconds(options.lease + options.lease / 3);
    std::cout << std::fixed << std::setprecision(2) << "failover: " << options.kills
              << " SIGKILLs, " << times.size() << " rooms moved (3 nodes, " << rooms
              << " rooms, lease " << seconds(options.lease) << " s, turn_delay 0.05 s): min "
              << times.front() << " s, median " << times[times.size() / 2] << " s, max "
              << times.back() << " s; lease + lease/3 = " << bound << " s" << std::endl;
    for (const auto& name : names) {
        fleet.node(name).stop();
    }
    return true;
}

bench_options parse(int argc, char** argv) {
    bench_options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--rooms") {
            options.rooms = std::stoi(value);
        } else if (flag == "--window") {
            options.window_seconds = std::stoi(value);
        } else if (flag == "--kills") {
            options.kills = std::stoi(value);
        } else if (flag == "--lease") {
            options.lease = std::chrono::milliseconds{std::stoi(value)};
        } else if (flag == "--only") {
            options.only = value;
        } else {
            std::cerr << "unknown option " << flag << "\n";
            std::exit(2);
        }
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    bool ok = true;
    if (options.only.empty() || options.only == "throughput") {
        ok = ok && measure_throughput(options, 1) && measure_throughput(options, 2);
    }
    if (options.only.empty() || options.only == "failover") {
        ok = ok && measure_failover(options);
    }
    return ok ? 0 : 1;
}
