#include "fleet_plan.hpp"

#include <algorithm>
#include <set>

#include "name_hash.hpp"

namespace polylogue::app {

std::size_t fair_share(std::size_t rooms, int live_nodes) noexcept {
    const auto nodes = static_cast<std::size_t>(std::max(1, live_nodes));
    return (rooms + nodes - 1) / nodes;
}

std::vector<std::string> rooms_to_claim(const fleet_view& view, std::size_t held_here) {
    const std::size_t share = fair_share(view.rooms.size(), view.live_nodes);
    if (held_here >= share || view.rooms.empty()) {
        return {};
    }
    std::set<std::string, std::less<>> taken;
    for (const auto& owner : view.owners) {
        if (owner.held) {
            taken.insert(owner.room);
        }
    }
    const std::size_t start = name_hash{}(view.node) % view.rooms.size();
    std::vector<std::string> free;
    for (std::size_t i = 0; i < view.rooms.size(); ++i) {
        const std::string& room = view.rooms[(start + i) % view.rooms.size()];
        if (!taken.contains(room)) {
            free.push_back(room);
        }
    }
    free.resize(std::min(free.size(), share - held_here));
    return free;
}

std::optional<std::string> room_to_give_back(const fleet_view& view,
                                             const std::vector<std::string>& held) {
    const std::size_t share = fair_share(view.rooms.size(), view.live_nodes);
    if (held.size() <= share || held.empty()) {
        return std::nullopt;
    }
    return held.back();
}

}  // namespace polylogue::app
