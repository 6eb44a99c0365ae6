#pragma once
// `polylogue serve CONFIG` as a child process, watched through /proc: CPU time, RSS, open file
// descriptors. Its stdout and stderr go to files beside the config.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "schedstat.hpp"

namespace polylogue::bench {

struct process_sample {
    thread_times all;          // every thread's, summed
    thread_times loop;         // the main thread's: it runs the event loop
    std::int64_t rss_kib = 0;  // VmRSS
    std::int64_t open_fds = 0;
    std::int64_t max_open_fds = 0;  // the soft RLIMIT_NOFILE
    std::int64_t threads = 0;
};

// What the control API's /metrics says.
struct metrics_sample {
    std::int64_t turns = 0;     // polylogue_turns_total
    std::int64_t failures = 0;  // every polylogue_turn_failures_total series
};

class daemon_process {
  public:
    // Starts `binary serve config`; logs go to DIR/serve.out and DIR/serve.err, DIR being the
    // config's directory.
    daemon_process(const std::string& binary, const std::filesystem::path& config,
                   const std::filesystem::path& data_dir);
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;
    ~daemon_process();  // SIGKILL when still running

    pid_t pid() const noexcept { return pid_; }
    bool running();

    // The control API's port once serve.json names it; nullopt when serve exits or the limit
    // passes first.
    std::optional<std::uint16_t> control_port(std::chrono::milliseconds limit);

    process_sample sample() const;
    std::optional<metrics_sample> metrics() const;
    // Polls /metrics until polylogue_turns_total reaches turns; false at the limit.
    bool wait_for_turns(std::int64_t turns, std::chrono::milliseconds limit) const;

    // SIGTERM, then waits up to limit (SIGKILL after it). The exit code, or -signal.
    int stop(std::chrono::milliseconds limit);

  private:
    pid_t pid_ = -1;
    std::filesystem::path data_dir_;
    std::uint16_t port_ = 0;
    bool reaped_ = false;
    int status_ = 0;
};

// `perf record` (call graphs through DWARF) on a process for a while, into output; perf's own
// messages go to output + ".log". Nothing happens when perf is not installed.
class profiler {
  public:
    profiler(pid_t target, const std::filesystem::path& output, std::chrono::milliseconds span);
    profiler(const profiler&) = delete;
    profiler& operator=(const profiler&) = delete;
    ~profiler();  // waits for perf to write its file

  private:
    pid_t pid_ = -1;
};

// The last lines of a file, for reporting why a daemon failed.
std::string tail_of(const std::filesystem::path& file, std::size_t lines);

}  // namespace polylogue::bench
