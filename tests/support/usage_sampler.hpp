#pragma once
// What a process holds, sampled once a second on a thread of its own: resident memory
// (VmRSS of /proc/PID/status) and open file descriptors (entries of /proc/PID/fd).

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace polylogue::test {

struct usage_sample {
    double seconds = 0;  // since sampling started
    long rss_kib = 0;
    int fds = 0;
};

usage_sample sample_process(pid_t pid, double seconds);

// The most resident memory the process ever had (VmHWM), in KiB: catches a spike between samples.
long peak_rss_kib(pid_t pid);

class usage_sampler {
  public:
    explicit usage_sampler(pid_t pid);
    usage_sampler(const usage_sampler&) = delete;
    usage_sampler& operator=(const usage_sampler&) = delete;
    ~usage_sampler();

    // Stops sampling and returns every sample taken.
    std::vector<usage_sample> stop();

  private:
    void run(pid_t pid);

    std::chrono::steady_clock::time_point started_;
    std::atomic<bool> stopping_{false};
    std::vector<usage_sample> samples_;
    std::thread thread_;
};

// Whether a process's resident memory measures the daemon's own use. Under AddressSanitizer it
// does not: every freed block waits in a quarantine (256 MiB by default) before it is reused, and
// every block carries redzones, so RSS grows with the bytes allocated, not the bytes held. Tests
// check their RSS bounds only when this is true; their other assertions hold in every build.
constexpr bool rss_measures_the_daemon() {
#if defined(__SANITIZE_ADDRESS__)
    return false;
#else
    return true;
#endif
}

// The medians of RSS and descriptors over the samples taken from `from` to `to` seconds
// (zero when there are none): robust to a one-off spike such as a large body in flight.
usage_sample window_of(const std::vector<usage_sample>& samples, double from, double to);

}  // namespace polylogue::test
