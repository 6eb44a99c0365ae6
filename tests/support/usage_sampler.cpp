#include "support/usage_sampler.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace polylogue::test {
namespace {

long median(std::vector<long> values) {
    if (values.empty()) {
        return 0;
    }
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

}  // namespace

usage_sample sample_process(pid_t pid, double seconds) {
    usage_sample sample{seconds, 0, 0};
    const std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream status{proc + "/status"};
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:")) {
            sample.rss_kib = std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator{proc + "/fd", ec};
         !ec && it != std::filesystem::directory_iterator{}; it.increment(ec)) {
        ++sample.fds;
    }
    return sample;
}

long peak_rss_kib(pid_t pid) {
    std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return 0;
}

usage_sampler::usage_sampler(pid_t pid)
    : started_{std::chrono::steady_clock::now()}, thread_{[this, pid] { run(pid); }} {}

usage_sampler::~usage_sampler() {
    stop();
}

std::vector<usage_sample> usage_sampler::stop() {
    stopping_ = true;
    if (thread_.joinable()) {
        thread_.join();
    }
    return samples_;
}

void usage_sampler::run(pid_t pid) {
    for (auto next = started_; !stopping_; next += std::chrono::seconds{1}) {
        std::this_thread::sleep_until(next);
        const std::chrono::duration<double> since = std::chrono::steady_clock::now() - started_;
        const auto sample = sample_process(pid, since.count());
        if (sample.rss_kib > 0 && !stopping_) {
            samples_.push_back(sample);
        }
    }
}

usage_sample window_of(const std::vector<usage_sample>& samples, double from, double to) {
    std::vector<long> rss;
    std::vector<long> fds;
    for (const auto& s : samples) {
        if (s.seconds >= from && s.seconds <= to) {
            rss.push_back(s.rss_kib);
            fds.push_back(s.fds);
        }
    }
    return {from, median(std::move(rss)), static_cast<int>(median(std::move(fds)))};
}

}  // namespace polylogue::test
