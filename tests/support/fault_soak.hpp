#pragma once
// The fault soak: `polylogue serve` runs many rooms of network models against faulty providers
// (support/faulty_provider.hpp) while its memory and open file descriptors are sampled every
// second; then every turn in the transcript is matched with what the providers saw of it.
// The opt-in soak (tests/soak) and its short version in the suite share this.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/faulty_provider.hpp"
#include "support/usage_sampler.hpp"

namespace polylogue::test {

struct soak_settings {
    int rooms = 200;
    int turns = 50;  // max_turns of every room: each AI turn is a message or a turn_failed
    // Each room's turn_delay, spread evenly over [shortest, longest] by room.
    std::chrono::milliseconds shortest_delay{2600};
    std::chrono::milliseconds longest_delay{3400};
    fault_deck deck;
    std::uint32_t seed = 1;
    std::chrono::seconds window{60};       // first and last window compared for RSS and FDs
    std::chrono::seconds time_limit{600};  // the rooms must all end within this
    // Allowed growth of the median RSS from the first to the last window: a fixed slack plus
    // an allowance for each record the rooms kept in memory meanwhile (their transcript).
    // A record is 584 bytes plus its strings in the room's history vector, which may be twice
    // the size it needs: about 1 KiB, so 2 KiB is a margin of two. The slack covers SQLite's
    // page caches (2 MiB per connection, two connections) and allocator arenas.
    long rss_slack_kib = 8 * 1024;
    long rss_kib_per_record = 2;
    // The client pools up to 8 connections per provider (24 here); sockets come and go.
    int fd_slack = 8;
};

struct soak_report {
    double seconds = 0;  // from the daemon up to every room ended
    int rooms_ended = 0;
    int messages = 0;
    int failed_turns = 0;
    int recovered_turns = 0;  // turns that failed at least once, then answered
    std::size_t requests = 0;
    std::size_t attempts_in_records =
        0;  // messages' tries (from the ledger) + turn_failed attempts
    std::map<std::string, int> injected;  // per fault, every kind of API together
    std::map<std::string, int> failed_by_last_fault;
    std::vector<usage_sample> samples;
    long rss_first_kib = 0;  // medians over the first and the last window
    long rss_last_kib = 0;
    long rss_allowed_growth_kib = 0;
    int fds_first = 0;
    int fds_last = 0;
    std::vector<std::string> problems;  // empty when the soak passed

    std::string summary() const;
};

// The deck of the full soak: about 10% of calls fail, spread over every fault; 3% are slow.
fault_deck soak_deck();

soak_report run_fault_soak(const soak_settings& settings);

}  // namespace polylogue::test
