#pragma once
// A thread's time on a CPU and its time waiting for one, from /proc/.../schedstat (in
// nanoseconds, unlike the clock ticks of /proc/.../stat): on a busy machine the second says
// whether a thread was starved rather than idle.

#include <chrono>
#include <filesystem>
#include <fstream>

namespace polylogue::bench {

struct thread_times {
    std::chrono::nanoseconds on_cpu{0};
    std::chrono::nanoseconds waiting{0};  // runnable, but another thread had the CPU

    thread_times& operator+=(const thread_times& other) {
        on_cpu += other.on_cpu;
        waiting += other.waiting;
        return *this;
    }
    friend thread_times operator-(thread_times a, const thread_times& b) {
        a.on_cpu -= b.on_cpu;
        a.waiting -= b.waiting;
        return a;
    }
};

// file: /proc/PID/task/TID/schedstat, /proc/thread-self/schedstat...; zeros when unreadable.
inline thread_times read_schedstat(const std::filesystem::path& file) {
    std::ifstream in{file};
    long long on_cpu = 0;
    long long waiting = 0;
    in >> on_cpu >> waiting;
    return {std::chrono::nanoseconds{on_cpu}, std::chrono::nanoseconds{waiting}};
}

}  // namespace polylogue::bench
