#include "daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "load_clients.hpp"

namespace polylogue::bench {

namespace fs = std::filesystem;
using steady_clock = std::chrono::steady_clock;

namespace {

void redirect(const fs::path& file, int target) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::dup2(fd, target) < 0) {
        ::_exit(127);
    }
    ::close(fd);
}

std::string read_all(const fs::path& file) {
    std::ifstream in{file, std::ios::binary};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::int64_t status_field_kib(const std::string& status, const std::string& name) {
    const auto at = status.find("\n" + name + ":");
    if (at == std::string::npos) {
        return 0;
    }
    return std::stoll(status.substr(at + name.size() + 2));
}

std::int64_t entries_in(const fs::path& dir) {
    std::error_code ec;
    std::int64_t count = 0;
    for (fs::directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) {
        ++count;
    }
    return count;
}

// Sums what a Prometheus text line of this family says, labels or not.
std::int64_t metric_sum(const std::string& text, const std::string& family) {
    std::int64_t sum = 0;
    std::istringstream lines{text};
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(family, 0) == 0 &&
            (line.size() > family.size() &&
             (line[family.size()] == ' ' || line[family.size()] == '{'))) {
            sum += std::stoll(line.substr(line.rfind(' ') + 1));
        }
    }
    return sum;
}

// POLYLOGUE_BENCH_WRAP, split at spaces: a command the daemon runs under (valgrind
// --tool=massif, strace -c...), for looking into a figure rather than for the figures.
std::vector<std::string> wrapper_words() {
    std::vector<std::string> words;
    const char* wrap = std::getenv("POLYLOGUE_BENCH_WRAP");
    std::istringstream in{wrap != nullptr ? wrap : ""};
    for (std::string word; in >> word;) {
        words.push_back(word);
    }
    return words;
}

}  // namespace

daemon_process::daemon_process(const std::string& binary, const fs::path& config,
                               const fs::path& data_dir)
    : data_dir_{data_dir} {
    const fs::path dir = config.parent_path();
    std::vector<std::string> argv = wrapper_words();
    for (const auto& word : {binary, std::string{"serve"}, config.string()}) {
        argv.push_back(word);
    }
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
        redirect(dir / "serve.out", 1);
        redirect(dir / "serve.err", 2);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
}

daemon_process::~daemon_process() {
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool daemon_process::running() {
    if (!reaped_ && ::waitpid(pid_, &status_, WNOHANG) == pid_) {
        reaped_ = true;
    }
    return !reaped_;
}

std::optional<std::uint16_t> daemon_process::control_port(std::chrono::milliseconds limit) {
    const auto deadline = steady_clock::now() + limit;
    while (port_ == 0 && running() && steady_clock::now() < deadline) {
        const auto published =
            nlohmann::json::parse(read_all(data_dir_ / "serve.json"), nullptr, false);
        if (published.is_object() && published.contains("listen")) {
            const std::string listen = published["listen"].get<std::string>();
            port_ = static_cast<std::uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds{20});
        }
    }
    return port_ == 0 ? std::nullopt : std::optional<std::uint16_t>{port_};
}

process_sample daemon_process::sample() const {
    process_sample out;
    const fs::path proc = "/proc/" + std::to_string(pid_);
    std::error_code ec;
    for (fs::directory_iterator it{proc / "task", ec}, end; !ec && it != end; it.increment(ec)) {
        const thread_times times = read_schedstat(it->path() / "schedstat");
        out.all += times;
        if (it->path().filename() == std::to_string(pid_)) {
            out.loop = times;
        }
        ++out.threads;
    }
    out.rss_kib = status_field_kib(read_all(proc / "status"), "VmRSS");
    out.open_fds = entries_in(proc / "fd");
    const std::string limits = read_all(proc / "limits");
    if (const auto at = limits.find("Max open files"); at != std::string::npos) {
        out.max_open_fds =
            std::atoll(limits.c_str() + at + std::string_view{"Max open files"}.size());
    }
    return out;
}

std::optional<metrics_sample> daemon_process::metrics() const {
    if (port_ == 0) {
        return std::nullopt;
    }
    const std::string text = http_get(port_, "/metrics");
    if (text.empty()) {
        return std::nullopt;
    }
    return metrics_sample{metric_sum(text, "polylogue_turns_total"),
                          metric_sum(text, "polylogue_turn_failures_total")};
}

bool daemon_process::wait_for_turns(std::int64_t turns, std::chrono::milliseconds limit) const {
    const auto deadline = steady_clock::now() + limit;
    while (steady_clock::now() < deadline) {
        if (const auto now = metrics(); now && now->turns >= turns) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    return false;
}

int daemon_process::stop(std::chrono::milliseconds limit) {
    if (running()) {
        ::kill(pid_, SIGTERM);
    }
    const auto deadline = steady_clock::now() + limit;
    while (running() && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (running()) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
        reaped_ = true;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

profiler::profiler(pid_t target, const fs::path& output, std::chrono::milliseconds span) {
    const std::string seconds = std::to_string(static_cast<double>(span.count()) / 1e3);
    std::vector<std::string> argv{"perf",         "record",        "-F", "499",
                                  "--call-graph", "dwarf,16384",   "-p", std::to_string(target),
                                  "-o",           output.string(), "--", "sleep",
                                  seconds};
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        redirect(output.string() + ".log", 1);
        redirect(output.string() + ".log", 2);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
}

profiler::~profiler() {
    if (pid_ > 0) {
        ::waitpid(pid_, nullptr, 0);
    }
}

std::string tail_of(const fs::path& file, std::size_t lines) {
    std::ifstream in{file};
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (last.size() > lines) {
            last.pop_front();
        }
    }
    std::string out;
    for (const auto& line : last) {
        out += line + "\n";
    }
    return out;
}

}  // namespace polylogue::bench
