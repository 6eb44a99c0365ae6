#pragma once
// The clients the benchmark drives the fake server with, besides Polylogue itself: a plain
// keep-alive client (the physical limit: pre-serialised requests, a response parser, nothing
// else), the daemon's own http::client on its own (how much of the gap is the HTTP layer), and a
// one-shot GET for the daemon's control API.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "schedstat.hpp"

namespace polylogue::bench {

struct rate_result {
    std::uint64_t requests = 0;
    std::chrono::nanoseconds elapsed{0};
    thread_times client;  // the client thread's

    double per_second() const {
        return elapsed.count() > 0
                   ? static_cast<double>(requests) * 1e9 / static_cast<double>(elapsed.count())
                   : 0.0;
    }
};

// `concurrency` keep-alive connections to 127.0.0.1:port, each POSTing the next of bodies to
// /v1/chat/completions as soon as it has read the previous answer, for `duration`. Runs on the
// calling thread.
rate_result run_plain_client(std::uint16_t port, const std::vector<std::string>& bodies,
                             int concurrency, std::chrono::milliseconds duration);

// The same load through polylogue::http::client with the daemon's default limits (so at most
// its per-host connection cap of connections), each answer streamed to a chunk handler.
rate_result run_polylogue_client(std::uint16_t port, const std::vector<std::string>& bodies,
                                 int concurrency, std::chrono::milliseconds duration);

// GET http://127.0.0.1:port/target; the body of a 200 answer, or empty (also when no answer
// came within 5 seconds).
std::string http_get(std::uint16_t port, const std::string& target);

}  // namespace polylogue::bench
