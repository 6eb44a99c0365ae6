// Polylogue's rate with N rooms against the fake server, and the plain client's rate with the
// same bodies at the same concurrency: the ratio the issue asks about.

#include <algorithm>
#include <iostream>
#include <optional>
#include <thread>

#include "bench_setup.hpp"
#include "daemon_process.hpp"
#include "load_clients.hpp"
#include "phases.hpp"

namespace polylogue::bench {

namespace {

using namespace std::chrono_literals;
using steady_clock = std::chrono::steady_clock;

constexpr std::size_t body_sample_size = 128;

double seconds(std::chrono::nanoseconds d) {
    return static_cast<double>(d.count()) / 1e9;
}

// Waits until every room has sent at least one request (they are all past their start).
bool wait_for_rooms(fake_openai_server& server, daemon_process& daemon, int rooms) {
    const auto deadline = steady_clock::now() + 120s;
    while (server.rooms_seen() < static_cast<std::size_t>(rooms)) {
        if (!daemon.running() || steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

double per_request_us(std::chrono::nanoseconds cpu, std::uint64_t requests) {
    return static_cast<double>(cpu.count()) / 1e3 /
           static_cast<double>(std::max<std::uint64_t>(requests, 1));
}

void measure_window(fake_openai_server& server, daemon_process& daemon,
                    const bench_options& options, const bench_config& setup, throughput_result* out,
                    std::vector<std::string>* bodies) {
    std::optional<profiler> perf;
    if (options.profile) {
        perf.emplace(daemon.pid(), setup.dir / "perf.data", options.window);
    }
    const auto before = daemon.sample();
    server.begin_window(body_sample_size);
    std::this_thread::sleep_for(options.window);
    window_report report = server.end_window();
    const auto after = daemon.sample();
    const auto all = after.all - before.all;
    const auto loop = after.loop - before.loop;
    const double wall = seconds(report.elapsed);
    out->turns_per_s = static_cast<double>(report.requests) / wall;
    out->cpu_us_per_turn = per_request_us(all.on_cpu, report.requests);
    out->loop_us_per_turn = per_request_us(loop.on_cpu, report.requests);
    out->cpu_cores = seconds(all.on_cpu) / wall;
    out->loop_cores = seconds(loop.on_cpu) / wall;
    out->loop_starved = seconds(loop.waiting) / wall;
    out->server_busy = seconds(report.server_cpu) / wall;
    out->server_us_per_request = per_request_us(report.server_cpu, report.requests);
    out->mean_body_bytes = static_cast<double>(report.body_bytes) /
                           static_cast<double>(std::max<std::uint64_t>(report.requests, 1));
    out->added = {percentile_ms(report.gaps, 0.50), percentile_ms(report.gaps, 0.99)};
    *bodies = std::move(report.bodies);
}

// The plain client twice (the better run is the limit: on a shared machine a run can only be
// slowed down), then polylogue::http::client once.
void measure_clients(fake_openai_server& server, const bench_options& options,
                     const std::vector<std::string>& bodies, throughput_result* out) {
    if (bodies.empty()) {
        return;
    }
    for (int run = 0; run < 2; ++run) {
        server.begin_window(0);
        const auto plain =
            run_plain_client(server.port(), bodies, out->concurrency, options.raw_window);
        const auto report = server.end_window();
        if (plain.per_second() > out->raw_rps) {
            out->raw_rps = plain.per_second();
            out->raw_client_us = per_request_us(plain.client.on_cpu, plain.requests);
            out->raw_server_us = per_request_us(report.server_cpu, report.requests);
        }
    }
    const auto ours =
        run_polylogue_client(server.port(), bodies, out->concurrency, options.raw_window);
    out->http_client_rps = ours.per_second();
    out->http_client_us = per_request_us(ours.client.on_cpu, ours.requests);
}

}  // namespace

double percentile_ms(std::vector<std::chrono::nanoseconds> values, double fraction) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(values.size()));
    return static_cast<double>(values[std::min(rank, values.size() - 1)].count()) / 1e6;
}

throughput_result measure_rooms(fake_openai_server& server, const bench_options& options,
                                int rooms) {
    throughput_result out;
    out.rooms = rooms;
    out.concurrency = std::min(rooms, options.max_in_flight);
    bench_config setup{options.work_dir / ("rooms-" + std::to_string(rooms)), server.base_url(),
                       rooms};
    setup.max_in_flight = options.max_in_flight;
    const auto config = write_config(setup);
    server.forget_rooms();
    daemon_process daemon{options.polylogue, config, data_dir(setup)};
    std::vector<std::string> bodies;
    if (daemon.control_port(60s) && wait_for_rooms(server, daemon, rooms)) {
        std::this_thread::sleep_for(1s);  // past the start: every room is in its loop
        measure_window(server, daemon, options, setup, &out, &bodies);
        if (const auto counted = daemon.metrics()) {
            out.failures = counted->failures;
        }
    } else {
        std::cerr << "rooms=" << rooms << ": serve did not get going:\n"
                  << tail_of(setup.dir / "serve.err", 10);
        out.failures = -1;
    }
    out.exit_code = daemon.stop(30s);
    measure_clients(server, options, bodies, &out);
    return out;
}

}  // namespace polylogue::bench
