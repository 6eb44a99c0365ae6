#pragma once
// The room's random draws (docs/config.md, "turn_order"): pure and the same on every run and
// platform, so that a resumed or replayed room makes the same choices. The seed is the FNV-1a
// 64-bit hash of the room's lineage name mixed with the seq of its newest record; the generator
// is splitmix64. Only integer arithmetic: the standard distributions differ between libraries.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace polylogue::room {

inline constexpr std::uint64_t fnv1a_64(std::string_view text) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

class seeded_draw {
  public:
    // lineage: the room's lineage (its own name when it has none); seq: its newest record's.
    constexpr seeded_draw(std::string_view lineage, std::int64_t seq) noexcept
        : state_{fnv1a_64(lineage) ^ (static_cast<std::uint64_t>(seq) * 0x9e3779b97f4a7c15ULL)} {}

    // splitmix64.
    constexpr std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31U);
    }

    // 0 <= result < bound, without modulo bias. bound > 0.
    constexpr std::uint64_t below(std::uint64_t bound) noexcept {
        const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
        std::uint64_t value = next();
        while (value >= limit) {
            value = next();
        }
        return value % bound;
    }

    // An index of size > 0 items, each as likely.
    constexpr std::size_t uniform(std::size_t size) noexcept {
        return static_cast<std::size_t>(below(size));
    }

    // An index of weights.size() > 0, in proportion to its weight (0..1, as millionths); all
    // weights 0 (or below a millionth): each index as likely.
    std::size_t weighted(std::span<const double> weights) noexcept {
        std::uint64_t total = 0;
        for (const double w : weights) {
            total += units(w);
        }
        if (total == 0) {
            return uniform(weights.size());
        }
        std::uint64_t pick = below(total);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            const std::uint64_t share = units(weights[i]);
            if (pick < share) {
                return i;
            }
            pick -= share;
        }
        return weights.size() - 1;  // not reached: pick < total
    }

  private:
    static std::uint64_t units(double weight) noexcept {
        if (!(weight > 0)) {
            return 0;
        }
        return static_cast<std::uint64_t>(std::llround(std::fmin(weight, 1.0) * 1e6));
    }

    std::uint64_t state_;
};

}  // namespace polylogue::room
