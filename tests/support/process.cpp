#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.hpp"

namespace polylogue::test {
namespace {

void redirect(const std::filesystem::path& file, int target, int flags) {
    const int fd = ::open(file.c_str(), flags, 0600);
    if (fd < 0 || ::dup2(fd, target) < 0) {
        ::_exit(127);
    }
    ::close(fd);
}

}  // namespace

child_process::child_process(std::vector<std::string> argv, const std::string& stdin_text) {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("polylogue-proc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    std::ofstream{dir_ / "stdin", std::ios::binary} << stdin_text;
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error{"fork failed"};
    }
    if (pid_ == 0) {
        redirect(dir_ / "stdin", 0, O_RDONLY);
        redirect(dir_ / "stdout", 1, O_WRONLY | O_CREAT | O_TRUNC);
        redirect(dir_ / "stderr", 2, O_WRONLY | O_CREAT | O_TRUNC);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
}

child_process::~child_process() {
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void child_process::send(int signal_number) {
    ::kill(pid_, signal_number);
}

std::string child_process::stdout_so_far() const {
    return read_file(dir_ / "stdout");
}

std::string child_process::stderr_so_far() const {
    return read_file(dir_ / "stderr");
}

bool child_process::running() const {
    if (reaped_ || pid_ <= 0) {
        return false;
    }
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return false;
    }
    return info.si_pid == 0;
}

process_result child_process::wait(std::chrono::milliseconds limit) {
    process_result result;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            result.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    reaped_ = true;
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    result.out = read_file(dir_ / "stdout");
    result.err = read_file(dir_ / "stderr");
    return result;
}

process_result run_process(std::vector<std::string> argv, const std::string& stdin_text,
                           std::chrono::milliseconds limit) {
    child_process child{std::move(argv), stdin_text};
    return child.wait(limit);
}

std::string polylogue_binary() {
    return POLYLOGUE_BINARY;
}

std::filesystem::path source_dir() {
    return POLYLOGUE_SOURCE_DIR;
}

}  // namespace polylogue::test
