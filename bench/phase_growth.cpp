// Cost per turn against the length of the history: rooms whose transcripts already hold H
// records (written before serve starts), the daemon's CPU time over a fixed number of turns.

#include <optional>

#include "bench_setup.hpp"
#include "daemon_process.hpp"
#include "phases.hpp"

namespace polylogue::bench {

namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

// From the warm-up's end to the last measured turn's request: the daemon's CPU per turn.
void measure_turns(fake_openai_server& server, daemon_process& daemon, const bench_options& options,
                   const bench_config& setup, std::uint64_t last, growth_result* out) {
    std::optional<profiler> perf;
    if (options.profile) {
        perf.emplace(daemon.pid(), setup.dir / "perf.data", options.window / 2);
    }
    const auto before = daemon.sample();
    server.begin_window(0);
    const bool done = wait_for_requests(server, daemon, last, 300s);
    const auto report = server.end_window();
    const auto after = daemon.sample();
    if (!done || report.requests == 0) {
        out->failure = "the measured turns did not all come";
        return;
    }
    const auto turns = static_cast<double>(report.requests);
    out->cpu_us_per_turn =
        static_cast<double>((after.all - before.all).on_cpu.count()) / 1e3 / turns;
    out->loop_us_per_turn =
        static_cast<double>((after.loop - before.loop).on_cpu.count()) / 1e3 / turns;
    out->mean_body_bytes = static_cast<double>(report.body_bytes) / turns;
}

}  // namespace

growth_result measure_growth(fake_openai_server& server, const bench_options& options,
                             int history) {
    growth_result out;
    out.history = history;
    bench_config setup{options.work_dir / ("history-" + std::to_string(history)), server.base_url(),
                       options.growth_rooms};
    setup.room_prefix = "g";
    setup.max_in_flight = options.max_in_flight;
    const auto config = write_config(setup);
    seed_history(transcript_file(setup), room_names(setup), history);
    const auto rooms = static_cast<std::uint64_t>(options.growth_rooms);
    const auto first = server.requests();
    const auto warm = first + rooms * 2;
    const auto last = warm + rooms * static_cast<std::uint64_t>(options.growth_turns_per_room);
    const auto started = steady_clock::now();
    daemon_process daemon{options.polylogue, config, data_dir(setup)};
    const bool loaded = wait_for_requests(server, daemon, first + 1, 300s);
    out.load_s = std::chrono::duration<double>(steady_clock::now() - started).count();
    if (!loaded) {
        out.failure =
            "no request came; serve.err ends with:\n" + tail_of(setup.dir / "serve.err", 8);
    } else if (!wait_for_requests(server, daemon, warm, 300s)) {
        out.failure = "the rooms did not warm up";
    } else {
        measure_turns(server, daemon, options, setup, last, &out);
    }
    daemon.stop(60s);
    return out;
}

}  // namespace polylogue::bench
