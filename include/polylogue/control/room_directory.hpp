#pragma once
// What the control API needs from whoever hosts the rooms (the daemon): a handle on each room
// (what the API may ask of it), and creating one. The API never owns a room; a handle stays
// valid until the daemon ends.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/loader.hpp"
#include "polylogue/core/error.hpp"
#include "polylogue/room/room_handle.hpp"

namespace polylogue::control {

// Why a room was not created: exactly one of these is set.
struct creation_refusal {
    config::refusal invalid;  // the body's problems (problems empty: the body was valid)
    bool name_taken = false;  // a room of that name exists
    std::string failure;      // anything else that went wrong (storage)
};

// The room, started; or why there is none.
using created_room = result<room::room_handle*, creation_refusal>;

// A fork to make (docs/control-api.md, "Fork a room").
struct fork_request {
    std::string origin;   // the room forked
    std::int64_t at = 0;  // its last record the fork keeps
    std::string name;     // the new room's
    std::string by;       // who asks, for the forked record's text
};

enum class fork_problem {
    no_origin,   // no room of that name
    bad_seq,     // at is not one of the origin's records
    name_taken,  // a room or a transcript of that name exists
    invalid,     // the origin's room, renamed, is no valid room (a bad name; a model gone)
    failure,     // storage or the room file
};

struct fork_refusal {
    fork_problem problem = fork_problem::failure;
    std::string message;
    config::refusal invalid;  // problem invalid: what the renamed room's validation found
};

// The fork, started; or why there is none.
using forked_room = result<room::room_handle*, fork_refusal>;

// Who runs a room in a fleet (store kind postgres; docs/deploy.md, "A fleet").
struct room_owner_info {
    std::string node;     // empty: nobody holds its lease now (it is moving to another node)
    std::string address;  // the owner's control API, HOST:PORT
    bool here = false;    // this daemon runs it
};

class room_directory {
  public:
    virtual ~room_directory() = default;

    // Every room the daemon hosts, config rooms first, in order.
    virtual std::vector<room::room_handle*> rooms() = 0;
    virtual room::room_handle* find(std::string_view name) = 0;

    // Validates body as a config room entry and starts the room.
    virtual created_room create(std::string_view body) = 0;

    // Commits the fork's first records, keeps its room like a created one, and starts it.
    virtual boost::asio::awaitable<forked_room> fork(fork_request request) = 0;

    virtual const std::filesystem::path& data_dir() const = 0;

    // nullopt outside a fleet: every room runs here.
    virtual std::optional<room_owner_info> owner_of(std::string_view) { return std::nullopt; }
    // This node's name in a fleet; empty outside one.
    virtual std::string node_name() const { return {}; }
};

}  // namespace polylogue::control
