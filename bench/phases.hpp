#pragma once
// The benchmark's measurements, one function per figure. Each starts its own `polylogue serve`
// on a fresh data dir against the shared fake server and stops it with SIGTERM.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fake_openai_server.hpp"
#include "support/prompt_prefix.hpp"

namespace polylogue::bench {

struct bench_options {
    std::string polylogue;                   // the binary under test
    std::filesystem::path work_dir;          // one subdirectory per run
    int max_in_flight = 32;                  // the provider's, and the plain client's concurrency
    std::chrono::milliseconds window{8000};  // steady-state window of a throughput run
    std::chrono::milliseconds raw_window{4000};  // each plain/polylogue client run
    std::vector<int> room_counts{1, 100, 1000};
    std::vector<int> idle_counts{1000, 10000};
    std::vector<int> histories{100, 1000, 10000};
    int growth_rooms = 32;
    int growth_turns_per_room = 10;  // measured turns; 2 more per room warm up first
    int growth_rounds = 5;           // each history measured this often; the median is reported
    bool profile = false;  // perf record the daemon over each window, into its run directory
    // The cache phase: one room of five, one run per mean reply size, this many turns each.
    std::vector<int> cache_reply_bytes{1000, 1200, 1700};
    int cache_turns = 360;
};

struct latency_ms {
    double p50 = 0;
    double p99 = 0;
};

struct throughput_result {
    int rooms = 0;
    double turns_per_s = 0;
    double cpu_us_per_turn = 0;   // every thread of the daemon
    double loop_us_per_turn = 0;  // the event loop's thread alone: the serial part
    double cpu_cores = 0;         // the daemon's CPU time over the window's wall time
    double loop_cores = 0;
    double loop_starved = 0;  // the loop thread's time waiting for a CPU, over the wall time
    latency_ms added;         // from answering a room to its next request
    double server_busy = 0;   // the fake server thread's CPU over the window's wall time
    double server_us_per_request = 0;
    double mean_body_bytes = 0;
    std::int64_t failures = 0;
    int exit_code = 0;
    // The same bodies through a plain client, and through polylogue::http::client alone.
    int concurrency = 0;
    double raw_rps = 0;        // the better of two runs
    double raw_client_us = 0;  // CPU per request of the plain client's thread
    double raw_server_us = 0;  // and of the server's, in that run
    double http_client_rps = 0;
    double http_client_us = 0;
};

struct idle_result {
    int rooms = 0;
    std::int64_t rss_kib = 0;
    std::int64_t open_fds = 0;
    std::int64_t max_open_fds = 0;
    double startup_s = 0;  // from exec until every room had taken its first turn
    std::size_t kept_records = 0;
    std::size_t kept_json_bytes = 0;
    std::string failure;  // empty, or what went wrong
};

struct growth_result {
    int history = 0;
    double cpu_us_per_turn = 0;
    double mean_body_bytes = 0;
    double loop_us_per_turn = 0;
    double load_s = 0;  // from exec until the first request
    std::string failure;
};

// One budget-full room of five members with the default context settings, its requests'
// prefix shares (tests/support/prompt_prefix.hpp).
struct cache_result {
    int reply_bytes = 0;
    int turns = 0;
    test::prefix_share_report share;
    std::size_t trims = 0;  // context_trimmed records in the transcript
    std::string failure;
};

throughput_result measure_rooms(fake_openai_server& server, const bench_options& options,
                                int rooms);
idle_result measure_idle(fake_openai_server& server, const bench_options& options, int rooms);
growth_result measure_growth(fake_openai_server& server, const bench_options& options, int history);
cache_result measure_prefix_share(fake_openai_server& server, const bench_options& options,
                                  int reply_bytes);

class daemon_process;

// Shared by the phases: waits until the server has had `count` requests in all, while the
// daemon runs; false when it stops or the limit passes first.
bool wait_for_requests(const fake_openai_server& server, daemon_process& daemon,
                       std::uint64_t count, std::chrono::seconds limit);

// Nearest-rank percentile of durations, in milliseconds.
double percentile_ms(std::vector<std::chrono::nanoseconds> values, double fraction);

}  // namespace polylogue::bench
