#pragma once
// The parts of `polylogue serve` that only a fleet (store kind postgres) has: the node's name,
// its own directory under data_dir, the address other nodes send it requests at.

#include <cstdint>
#include <filesystem>
#include <string>

#include "polylogue/config/config.hpp"

namespace polylogue::app {

// HOSTNAME-PID: unique among the nodes of one machine, and across restarts.
std::string default_node_name();

// Why a --node name is refused, or empty. It names a directory, so: 1 to 64 of letters,
// digits, '.', '_' and '-', not starting with '.'.
std::string node_name_problem(const std::string& name);

// data_dir/nodes/NAME: the node's lock, logs and serve file, so that several nodes may run
// from one configuration on one machine.
std::filesystem::path node_dir(const config::config& cfg, const std::string& node);

// HOST:PORT other nodes reach this node's control API at: the listen address with its real
// port; an unspecified host (0.0.0.0, [::]) becomes the machine's host name.
std::string announced_address(const std::string& listen, std::uint16_t port);

}  // namespace polylogue::app
