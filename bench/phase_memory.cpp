// Memory per idle room: serve with N rooms that each take their first turn and then wait an
// hour (turn_delay: 60m), its RSS once every turn is committed.

#include <iostream>
#include <thread>

#include "bench_setup.hpp"
#include "daemon_process.hpp"
#include "phases.hpp"

namespace polylogue::bench {

namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

// The summary line says what failed; the daemon's last words go to stderr.
std::string why_not(const bench_config& setup, const std::string& what) {
    const auto log = setup.dir / "serve.err";
    std::cerr << what << "; " << log.string() << " ends with:\n" << tail_of(log, 8);
    return what + " (see " + log.string() + ")";
}

}  // namespace

bool wait_for_requests(const fake_openai_server& server, daemon_process& daemon,
                       std::uint64_t count, std::chrono::seconds limit) {
    const auto deadline = steady_clock::now() + limit;
    while (server.wait_for_requests(count, 250ms) < count) {
        if (!daemon.running() || steady_clock::now() > deadline) {
            return false;
        }
    }
    return true;
}

idle_result measure_idle(fake_openai_server& server, const bench_options& options, int rooms) {
    idle_result out;
    out.rooms = rooms;
    bench_config setup{options.work_dir / ("idle-" + std::to_string(rooms)), server.base_url(),
                       rooms};
    setup.turn_delay = "60m";
    setup.max_in_flight = options.max_in_flight;
    const auto config = write_config(setup);
    const auto first = server.requests();
    const auto started = steady_clock::now();
    daemon_process daemon{options.polylogue, config, data_dir(setup)};
    if (!daemon.control_port(120s)) {
        out.failure = why_not(setup, "serve did not start");
    } else if (!wait_for_requests(server, daemon, first + static_cast<std::uint64_t>(rooms),
                                  300s)) {
        out.failure = why_not(setup, std::to_string(server.requests() - first) + " of " +
                                         std::to_string(rooms) + " rooms took their first turn");
    } else if (!daemon.wait_for_turns(rooms, 60s)) {
        out.failure = daemon.metrics() ? "the first turns were not all committed"
                                       : "the control API did not answer GET /metrics";
    }
    out.startup_s = std::chrono::duration<double>(steady_clock::now() - started).count();
    std::this_thread::sleep_for(1s);  // let the last watchers and the writer settle
    const auto sample = daemon.sample();
    out.rss_kib = sample.rss_kib;
    out.open_fds = sample.open_fds;
    out.max_open_fds = sample.max_open_fds;
    daemon.stop(60s);
    const auto kept = measure_transcript(transcript_file(setup), room_name("r", 0));
    out.kept_records = kept.records;
    out.kept_json_bytes = kept.json_bytes;
    return out;
}

}  // namespace polylogue::bench
