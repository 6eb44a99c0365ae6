// The full fault soak (opt-in; tests/soak/run.sh builds and runs it): 200 rooms of 50 turns
// against faulty providers, about 10% of calls failing in every way the adapters handle.
// Prints the report and exits 1 when a room did not finish, a failure is unaccounted for, or
// the daemon's memory or descriptors grew from the first to the last minute.
//
//   fault_soak [--rooms N] [--turns N] [--seed N] [--window SECONDS]

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "support/fault_soak.hpp"

int main(int argc, char** argv) {
    polylogue::test::soak_settings settings;
    settings.deck = polylogue::test::soak_deck();
    settings.seed = std::random_device{}();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const long value = std::strtol(argv[i + 1], nullptr, 10);
        if (flag == "--rooms") {
            settings.rooms = static_cast<int>(value);
        } else if (flag == "--turns") {
            settings.turns = static_cast<int>(value);
        } else if (flag == "--seed") {
            settings.seed = static_cast<std::uint32_t>(value);
        } else if (flag == "--window") {
            settings.window = std::chrono::seconds{value};
        } else {
            std::cerr << "unknown option " << flag << "\n";
            return 2;
        }
    }
    std::cout << "fault soak: " << settings.rooms << " rooms x " << settings.turns
              << " turns, seed " << settings.seed << std::endl;
    const auto report = polylogue::test::run_fault_soak(settings);
    std::cout << report.summary();
    std::cout << "every 10 s (s, RSS KiB, open fds):";
    for (const auto& u : report.samples) {
        if (static_cast<int>(u.seconds) % 10 == 0) {
            std::cout << " " << static_cast<int>(u.seconds) << "," << u.rss_kib << "," << u.fds;
        }
    }
    std::cout << "\n" << (report.problems.empty() ? "PASS" : "FAIL") << std::endl;
    return report.problems.empty() ? 0 : 1;
}
