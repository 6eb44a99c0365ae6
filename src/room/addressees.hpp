#pragma once
// Whom a message speaks to (turn_order natural, docs/config.md): pure. A member is addressed by
// its label ("@AI-3" or "AI-3", a whole token: AI-30 is not AI-3) or by its model's display name
// (any case, whole words), anywhere outside code: ``` fenced blocks and `inline` spans. Reads
// at most max_scanned_bytes of the text, in time linear in them (times the few short names).

#include <cstddef>
#include <string_view>
#include <vector>

namespace polylogue::room {

struct addressable {
    int slot = 0;
    std::string_view name;  // the model's display name
};

inline constexpr std::size_t max_scanned_bytes = 64 * 1024;

// The addressed slots in the order they are first named, each once. A name two members share
// addresses both, in slot order.
std::vector<int> addressees(std::string_view text, const std::vector<addressable>& members);

}  // namespace polylogue::room
