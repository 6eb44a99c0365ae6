#pragma once
// The decisions of a fleet node, free of I/O: how many rooms are its fair share, which free
// rooms to claim, which room to give back when it holds more than its share.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "polylogue/transcript/lease_table.hpp"

namespace polylogue::app {

// What one look at the lease table showed.
struct fleet_view {
    std::string node;                // this node
    std::vector<std::string> rooms;  // the configuration's rooms, in order
    std::vector<transcript::room_owner> owners;
    int live_nodes = 1;  // this one included
};

// ceil(rooms / live nodes): no node runs more than that while the others have room.
std::size_t fair_share(std::size_t rooms, int live_nodes) noexcept;

// The free rooms (no lease, or an expired one) this node should claim to reach its share, in
// the order to try them. Nodes start their search at different rooms (by a hash of their
// name) so that nodes claiming at once seldom try the same room.
std::vector<std::string> rooms_to_claim(const fleet_view& view, std::size_t held_here);

// A room to give back when this node holds more than its share (a node joined): one per look,
// so that rooms move one at a time; nullopt when it holds no more than its share. held: the
// rooms this node holds, in the order it took them; the newest is given back first.
std::optional<std::string> room_to_give_back(const fleet_view& view,
                                             const std::vector<std::string>& held);

}  // namespace polylogue::app
