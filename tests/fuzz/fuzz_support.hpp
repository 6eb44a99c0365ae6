#pragma once
// What the libFuzzer targets share: an invariant check that aborts (libFuzzer keeps the input
// that broke it) and a way to derive split points from the input itself, so that the fuzzer
// explores where a chunk boundary falls as well as what the bytes are.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace polylogue::fuzz {

inline void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "invariant violated: %s\n", what);
        std::abort();
    }
}

// A position in [0, size] that depends on every byte, so any mutation can move it.
inline std::size_t split_point(std::string_view text) {
    std::uint32_t hash = 2166136261U;  // FNV-1a
    for (const char c : text) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
    }
    return text.empty() ? 0 : hash % (text.size() + 1);
}

// A chunk size from 1 to 16 for feeding a stream in small pieces; the last byte chooses it.
inline std::size_t chunk_size(std::string_view text) {
    return text.empty() ? 1 : (static_cast<unsigned char>(text.back()) % 16) + 1;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace polylogue::fuzz
