// polylogue_bench: Polylogue against the physical limit of this machine. Prints one summary line
// per figure on stdout (progress on stderr); docs/performance.md explains each. Exits 1 when a
// measurement could not be made (a missed target is a result, not a failure).
//
//   polylogue_bench --polylogue BUILD/polylogue [--work DIR] [--max-in-flight N] [--quick]
//                   [--profile] [--only throughput|memory|growth|cache]

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "bench_setup.hpp"
#include "phases.hpp"
#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::bench {
namespace {

using steady_clock = std::chrono::steady_clock;

std::string first_line_with(const std::string& file, const std::string& key) {
    std::ifstream in{file};
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key, 0) == 0) {
            return line.substr(line.find(':') + 2);
        }
    }
    return "unknown";
}

std::string load_average() {
    std::ifstream in{"/proc/loadavg"};
    std::string one, five;
    in >> one >> five;
    return "loadavg_1m=" + one + " loadavg_5m=" + five;
}

void say(const std::string& line) {
    std::cout << line << std::endl;
}

std::string fixed(double value, int decimals = 1) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(decimals);
    out << value;
    return out.str();
}

std::string verdict(bool met) {
    return met ? "met" : "MISSED";
}

// What each side would reach with the CPUs to itself: requests per second of CPU of its
// busiest thread (both sides share the machine's cores with the fake server).
double ceiling_ratio(const throughput_result& r) {
    const double plain_us = std::max(r.raw_client_us, r.raw_server_us);
    const double ours_us = std::max({r.loop_us_per_turn, r.server_us_per_request,
                                     (r.cpu_us_per_turn + r.server_us_per_request) / 2});
    return ours_us > 0 ? plain_us / ours_us : 0;
}

// Each report_* says whether its measurement worked (a missed target still works).
bool report_throughput(const throughput_result& r) {
    const std::string rooms = "rooms=" + std::to_string(r.rooms);
    const double ratio = r.raw_rps > 0 ? r.turns_per_s / r.raw_rps : 0;
    const std::string concurrency = " concurrency=" + std::to_string(r.concurrency) + " ";
    say("raw_rate_rps " + rooms + concurrency + fixed(r.raw_rps, 0) + " client_us_per_request=" +
        fixed(r.raw_client_us) + " fake_server_us_per_request=" + fixed(r.raw_server_us));
    say("http_client_rps " + rooms + concurrency + fixed(r.http_client_rps, 0) +
        " client_us_per_request=" + fixed(r.http_client_us));
    say("turns_per_s " + rooms + " " + fixed(r.turns_per_s, 0) + " ratio=" + fixed(ratio, 3) +
        (r.rooms == 1000 ? " target>=0.7 " + verdict(ratio >= 0.7) : std::string{}) +
        " cpu_bound_ratio=" + fixed(ceiling_ratio(r), 3));
    say("cpu_us_per_turn " + rooms + " " + fixed(r.cpu_us_per_turn) + " loop_us_per_turn=" +
        fixed(r.loop_us_per_turn) + " daemon_cores=" + fixed(r.cpu_cores, 2) +
        " loop_cores=" + fixed(r.loop_cores, 2) + " loop_starved=" + fixed(r.loop_starved, 2) +
        " fake_server_us_per_request=" + fixed(r.server_us_per_request) +
        " mean_body_bytes=" + fixed(r.mean_body_bytes, 0));
    say("added_latency_ms " + rooms + " p50=" + fixed(r.added.p50, 3) +
        " p99=" + fixed(r.added.p99, 3));
    if (r.failures != 0 || r.exit_code != 0) {
        say("warning " + rooms + " turn_failures=" + std::to_string(r.failures) +
            " serve_exit=" + std::to_string(r.exit_code));
        return false;
    }
    return true;
}

bool report_idle(const idle_result& base, const idle_result& r) {
    const std::string rooms = "rooms=" + std::to_string(r.rooms);
    if (!r.failure.empty() || !base.failure.empty()) {
        say("rss_kib_per_idle_room " + rooms + " FAILED: " + r.failure + base.failure +
            " (open_fds=" + std::to_string(r.open_fds) + " of " + std::to_string(r.max_open_fds) +
            ")");
        return false;
    }
    const double per_room =
        static_cast<double>(r.rss_kib - base.rss_kib) / static_cast<double>(r.rooms - base.rooms);
    say("rss_kib_per_idle_room " + rooms + " " + fixed(per_room) + " target<=64 " +
        verdict(per_room <= 64) + " rss_kib=" + std::to_string(r.rss_kib) +
        " baseline_rss_kib=" + std::to_string(base.rss_kib) +
        " open_fds=" + std::to_string(r.open_fds) + "/" + std::to_string(r.max_open_fds) +
        " startup_s=" + fixed(r.startup_s) + " kept_records=" + std::to_string(r.kept_records) +
        " kept_json_bytes=" + std::to_string(r.kept_json_bytes) +
        " record_sizeof=" + std::to_string(sizeof(core::record)));
    return true;
}

// r is the median of runs (by CPU per turn); every run's figure is listed after it.
void report_growth(const growth_result& r, const std::vector<growth_result>& runs,
                   double cost_at_100) {
    const std::string history = "history=" + std::to_string(r.history);
    std::string line = "cost_per_turn_us " + history + " " + fixed(r.cpu_us_per_turn);
    if (cost_at_100 > 0) {
        const double ratio = r.cpu_us_per_turn / cost_at_100;
        line += " ratio_to_100=" + fixed(ratio, 2);
        if (r.history == 10000) {
            line += " target<=1.5 " + verdict(ratio <= 1.5);
        }
    }
    std::string each;
    for (const auto& run : runs) {
        each += (each.empty() ? "" : ",") + fixed(run.cpu_us_per_turn);
    }
    say(line + " loop_us_per_turn=" + fixed(r.loop_us_per_turn) +
        " mean_body_bytes=" + fixed(r.mean_body_bytes, 0) + " load_s=" + fixed(r.load_s) +
        " median_of=" + std::to_string(runs.size()) + " runs_us=" + each);
}

// One run of a turn costs a tenth of a second of CPU, so a moment's load on a shared machine
// moves it: each history is measured growth_rounds times, the histories taking turns so that a
// change in the load falls on all of them alike, and the median run of each is reported.
int run_growth(fake_openai_server& server, const bench_options& options) {
    int failed = 0;
    std::map<int, std::vector<growth_result>> runs;
    for (int round = 1; round <= options.growth_rounds; ++round) {
        for (const int history : options.histories) {
            std::cerr << "growth: round " << round << ", " << options.growth_rooms << " rooms of "
                      << history << " records\n";
            growth_result r = measure_growth(server, options, history);
            if (!r.failure.empty()) {
                say("cost_per_turn_us history=" + std::to_string(history) +
                    " FAILED: " + r.failure);
                ++failed;
                continue;
            }
            runs[history].push_back(std::move(r));
        }
    }
    double cost_at_100 = 0;
    for (const int history : options.histories) {
        auto& each = runs[history];
        if (each.empty()) {
            continue;
        }
        auto sorted = each;
        std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
            return a.cpu_us_per_turn < b.cpu_us_per_turn;
        });
        const growth_result& median = sorted[sorted.size() / 2];
        if (history == 100) {
            cost_at_100 = median.cpu_us_per_turn;
        }
        report_growth(median, each, cost_at_100);
    }
    return failed;
}

bool report_cache(const cache_result& r) {
    const std::string reply = "reply_bytes=" + std::to_string(r.reply_bytes);
    if (!r.failure.empty() && r.turns == 0) {
        say("prompt_prefix_share " + reply + " FAILED: " + r.failure);
        return false;
    }
    const config::model defaults;
    const test::prefix_share_report& s = r.share;
    say("prompt_prefix_share members=" + std::to_string(s.members) + " " + reply +
        " context_tokens=" + std::to_string(defaults.context_tokens) +
        " max_tokens=" + std::to_string(defaults.max_tokens) + " mean=" + fixed(s.mean_share, 3) +
        " target>=0.85 " + verdict(s.mean_share >= 0.85) + " byte_share=" + fixed(s.byte_share, 3) +
        " min=" + fixed(s.min_share, 3) + " low_share=" + std::to_string(s.low_share) +
        " requests=" + std::to_string(s.requests) +
        " budget_full=" + std::to_string(s.budget_full) + " trims=" + std::to_string(r.trims) +
        " mean_body_bytes=" + fixed(s.mean_body_bytes, 0));
    const auto& prices = test::claude_sonnet_4_5;
    const auto cost = test::input_cost_per_100_turns(s, prices);
    say("input_cost_per_100_turns " + reply + " reference=" + std::string{prices.name} +
        " input_per_mtok=" + fixed(prices.input, 2) + " cache_read_per_mtok=" +
        fixed(prices.cache_read, 2) + " cache_write_per_mtok=" + fixed(prices.cache_write, 2) +
        " without_cache_usd=" + fixed(cost.without_cache_usd, 3) +
        " with_cache_usd=" + fixed(cost.with_cache_usd, 3) + " ratio=" +
        fixed(cost.without_cache_usd > 0 ? cost.with_cache_usd / cost.without_cache_usd : 0, 3));
    if (!r.failure.empty()) {
        say("warning " + reply + " " + r.failure);
        return false;
    }
    return true;
}

// Every measurement; how many of them failed to measure.
int run_all(const bench_options& options) {
    int failed = 0;
    const auto syncs = probe_fdatasync(options.work_dir, 50);
    say("fdatasync_ms p50=" + fixed(percentile_ms(syncs, 0.5), 3) +
        " p99=" + fixed(percentile_ms(syncs, 0.99), 3) + " dir=" + options.work_dir.string());
    fake_openai_server server;
    std::cerr << "fake OpenAI server on " << server.base_url() << "\n";
    for (const int rooms : options.room_counts) {
        std::cerr << "throughput: " << rooms << " rooms\n";
        failed += report_throughput(measure_rooms(server, options, rooms)) ? 0 : 1;
    }
    const idle_result base =
        options.idle_counts.empty() ? idle_result{} : measure_idle(server, options, 1);
    for (const int rooms : options.idle_counts) {
        std::cerr << "memory: " << rooms << " idle rooms\n";
        failed += report_idle(base, measure_idle(server, options, rooms)) ? 0 : 1;
    }
    failed += run_growth(server, options);
    for (const int reply_bytes : options.cache_reply_bytes) {
        std::cerr << "cache: a room of five, replies of " << reply_bytes << " bytes on average\n";
        failed += report_cache(measure_prefix_share(server, options, reply_bytes)) ? 0 : 1;
    }
    return failed;
}

// A smoke run of about 20 seconds: short windows, fewer and smaller runs.
void make_quick(bench_options* options) {
    options->window = std::chrono::milliseconds{2000};
    options->raw_window = std::chrono::milliseconds{1000};
    options->room_counts = {1, 100};
    options->idle_counts = {100};
    options->histories = {100, 1000};
    options->growth_rooms = 8;
    options->growth_rounds = 1;
    options->cache_reply_bytes = {1000};
}

void keep_only(const std::string& phase, bench_options* options) {
    if (phase != "throughput" && phase != "memory" && phase != "growth" && phase != "cache") {
        throw std::invalid_argument{"--only takes throughput, memory, growth or cache"};
    }
    if (phase != "throughput") {
        options->room_counts.clear();
    }
    if (phase != "memory") {
        options->idle_counts.clear();
    }
    if (phase != "growth") {
        options->histories.clear();
    }
    if (phase != "cache") {
        options->cache_reply_bytes.clear();
    }
}

bench_options parse(int argc, char** argv) {
    bench_options options;
    options.work_dir = std::filesystem::current_path() / "bench-work";
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--polylogue" && has_value) {
            options.polylogue = argv[++i];
        } else if (arg == "--work" && has_value) {
            options.work_dir = std::filesystem::absolute(argv[++i]);
        } else if (arg == "--max-in-flight" && has_value) {
            options.max_in_flight = std::atoi(argv[++i]);
        } else if (arg == "--only" && has_value) {
            only = argv[++i];
        } else if (arg == "--profile") {
            options.profile = true;
        } else if (arg == "--quick") {
            make_quick(&options);
        } else {
            throw std::invalid_argument{"unknown argument " + arg};
        }
    }
    if (!only.empty()) {
        keep_only(only, &options);
    }
    if (options.polylogue.empty()) {
        throw std::invalid_argument{"--polylogue PATH is required"};
    }
    if (options.max_in_flight < 1 || options.max_in_flight > 256) {
        throw std::invalid_argument{"--max-in-flight takes 1 to 256, as the config does"};
    }
    return options;
}

}  // namespace
}  // namespace polylogue::bench

int main(int argc, char** argv) {
    using namespace polylogue::bench;
    bench_options options;
    try {
        options = parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "polylogue_bench: " << e.what()
                  << "\nusage: polylogue_bench --polylogue PATH [--work DIR] "
                     "[--max-in-flight N] [--quick] [--profile]\n"
                     "       [--only throughput|memory|growth|cache]\n";
        return 2;
    }
    ::setenv(api_key_variable, "bench-not-a-secret", 1);
    ::setenv("NO_PROXY", "127.0.0.1", 1);
    ::setenv("no_proxy", "127.0.0.1", 1);
    const auto started = steady_clock::now();
    say("machine nproc=" + std::to_string(std::thread::hardware_concurrency()) + " cpu=\"" +
        first_line_with("/proc/cpuinfo", "model name") + "\" " + load_average());
    say("config max_in_flight=" + std::to_string(options.max_in_flight) +
        " window_s=" + fixed(static_cast<double>(options.window.count()) / 1e3));
    const int failed = run_all(options);
    say("bench_seconds " +
        fixed(std::chrono::duration<double>(steady_clock::now() - started).count(), 0) + " " +
        load_average());
    return failed == 0 ? 0 : 1;
}
