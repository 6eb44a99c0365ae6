#pragma once
// Token counts as a server reports them. They are untrusted numbers that the room adds up and
// prices, so a count is believed only when it is a whole number from 0 to max_token_count: a
// broken or hostile server must not overflow those sums (or a float-to-integer conversion).

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>

namespace polylogue::providers {

// Far beyond any context window, yet a million turns of it still fit in an int64_t sum.
inline constexpr std::int64_t max_token_count = 1'000'000'000'000;

// The count in value, or nullopt when it is missing, not a number or not believable. A whole
// float (12.0) counts: some compatible servers write every number that way.
inline std::optional<std::int64_t> token_count_of(const nlohmann::json& value) {
    if (value.is_number_unsigned()) {
        const auto count = value.get<std::uint64_t>();
        return count <= static_cast<std::uint64_t>(max_token_count)
                   ? std::optional{static_cast<std::int64_t>(count)}
                   : std::nullopt;
    }
    if (value.is_number_float()) {
        const double count = value.get<double>();
        const bool whole = count >= 0 && count <= static_cast<double>(max_token_count) &&
                           std::floor(count) == count;
        return whole ? std::optional{static_cast<std::int64_t>(count)} : std::nullopt;
    }
    return std::nullopt;  // negative integers, strings, null, objects...
}

}  // namespace polylogue::providers
