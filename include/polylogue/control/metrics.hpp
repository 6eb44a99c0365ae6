#pragma once
// The daemon's counters, rendered in the Prometheus text format (0.0.4) for GET /metrics.
// Fed from the event loop only (committed records and provider call timings); no locking.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::control {

// What is read at scrape time rather than counted.
struct metric_gauges {
    std::map<std::string, std::int64_t, std::less<>> rooms_by_state;  // "running" -> 3
    std::int64_t sse_clients = 0;
    std::int64_t http_connections = 0;
    std::optional<double> budget_usd_per_day;    // the daily budget, when one is set
    double budget_spent_today_usd = 0;           // by every room since 00:00 UTC
    std::uint64_t http_connections_evicted = 0;  // counters kept by the server, read at scrape
    std::uint64_t http_connections_refused = 0;
    // A fleet (store kind postgres); left out of the scrape outside one.
    bool fleet = false;
    std::int64_t leases_held = 0;     // rooms this node runs
    std::uint64_t fenced_writes = 0;  // batches the fence refused: this node's late writes
};

class metrics {
  public:
    // Seconds; the last bucket is +Inf.
    static constexpr std::array<double, 11> latency_buckets{0.1, 0.25, 0.5, 1,   2.5, 5,
                                                            10,  30,   60,  120, 300};

    // Counts turns, failures (by provider and reason), tokens, spending (by room, model and
    // source) and command outcomes of the room's committed records.
    void count_records(const config::config& cfg, std::string_view room,
                       std::span<const core::record> records);

    // One provider call of a turn: outcome "ok" or a failure kind.
    void observe_call(std::string_view provider, std::chrono::steady_clock::duration took,
                      std::string_view outcome);

    std::string render(const metric_gauges& gauges) const;

  private:
    struct histogram {
        std::array<std::uint64_t, latency_buckets.size()> buckets{};  // not cumulative
        std::uint64_t count = 0;
        double sum = 0;
    };
    using labels = std::pair<std::string, std::string>;
    struct spend_labels {
        std::string room;
        std::string model;
        std::string source;  // "reply", "image" or "search"
        // clang-tidy 14 takes the 0 in the synthesized comparison for a null pointer.
        auto operator<=>(const spend_labels&) const = default;  // NOLINT(modernize-use-nullptr)
    };

    std::uint64_t turns_ = 0;
    std::uint64_t records_ = 0;
    std::map<labels, std::uint64_t> failures_;               // (provider, reason)
    std::map<labels, std::uint64_t> commands_;               // (command, status)
    std::map<labels, std::uint64_t> calls_;                  // (provider, outcome)
    std::map<std::string, histogram, std::less<>> latency_;  // by provider
    std::int64_t input_tokens_ = 0;
    std::int64_t output_tokens_ = 0;
    std::int64_t cache_read_tokens_ = 0;  // parts of input_tokens_
    std::int64_t cache_write_tokens_ = 0;
    double cost_usd_ = 0;
    std::map<spend_labels, double> spend_;
};

// A Prometheus label value with \, " and newlines escaped.
std::string escape_label(std::string_view value);

}  // namespace polylogue::control
