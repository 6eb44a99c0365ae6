#pragma once
// Real processes for integration tests: run to completion with a time limit, or start one and
// signal it. Output goes to files, so a chatty child can never block on a full pipe.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace polylogue::test {

struct process_result {
    int exit_code = -1;  // -1 when killed by a signal or timed out
    int signal = 0;      // the signal that ended it, if any
    bool timed_out = false;
    std::string out;
    std::string err;
};

class child_process {
  public:
    // Starts argv with stdin from stdin_text; stdout and stderr go to files in a private dir.
    child_process(std::vector<std::string> argv, const std::string& stdin_text = {});
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process();

    void send(int signal_number);
    // Waits up to limit; on time-out the child is killed with SIGKILL and timed_out is set.
    process_result wait(std::chrono::milliseconds limit);
    std::string stdout_so_far() const;
    std::string stderr_so_far() const;
    // Whether it has not exited yet; leaves an exited child to wait() (it is not reaped here).
    bool running() const;
    pid_t pid() const noexcept { return pid_; }

  private:
    pid_t pid_ = -1;
    std::filesystem::path dir_;
    bool reaped_ = false;
};

process_result run_process(std::vector<std::string> argv, const std::string& stdin_text = {},
                           std::chrono::milliseconds limit = std::chrono::seconds{60});

// The polylogue binary under test, and the repository's root.
std::string polylogue_binary();
std::filesystem::path source_dir();

}  // namespace polylogue::test
