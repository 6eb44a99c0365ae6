#pragma once
// Hashes room names for unordered maps keyed by std::string that are looked up with a
// string_view, without building a string per lookup.

#include <cstddef>
#include <functional>
#include <string_view>

namespace polylogue::app {

struct name_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const noexcept {
        return std::hash<std::string_view>{}(name);
    }
};

}  // namespace polylogue::app
