#pragma once
// When to try a failed call again, and how long to wait first: pure. Exponential backoff with
// jitter, overridden by the server's own word (retry-after-ms, Retry-After in seconds, fractions
// or an HTTP date), bounded by the attempts and the total wait the configuration allows.

#include <chrono>
#include <optional>

#include "polylogue/config/config.hpp"
#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {

// The server's requested delay, if it named one: retry-after-ms first, then Retry-After.
std::optional<std::chrono::milliseconds> parse_retry_after(
    const header_list& headers, std::chrono::system_clock::time_point now);

// The backoff before retry number `retry` (1 for the first retry): initial * 2^(retry-1),
// capped at max_backoff, then scaled into [50%, 100%] by jitter in [0, 1).
std::chrono::milliseconds backoff_delay(int retry, const config::retry_settings& settings,
                                        double jitter);

struct retry_decision {
    bool retry = false;
    std::chrono::milliseconds wait{0};
};

// After attempt number `attempt` (1-based) failed: retry only retriable failures, while
// attempts remain and the wait fits in what is left of max_wait.
retry_decision decide_retry(const api_failure& failure, int attempt,
                            std::optional<std::chrono::milliseconds> server_asked,
                            std::chrono::milliseconds waited_so_far,
                            const config::retry_settings& settings, double jitter);

}  // namespace polylogue::providers
