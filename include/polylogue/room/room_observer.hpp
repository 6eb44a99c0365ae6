#pragma once
// What a room tells whoever watches it (in the daemon: the chat log, the metrics and the control
// API's feed). Every call comes on the event loop after the fact: a record is durable and folded
// into the room's state before anyone hears of it, and an observer can neither delay a turn nor
// change what the room does (an exception thrown from committed() or stopped_running() is
// logged and dropped).

#include <chrono>
#include <span>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_handle.hpp"

namespace polylogue::room {

// The live text of the turn in progress: a chunk as it streams in, or (restart == true) word
// that the attempt failed and the provider starts over.
struct live_text {
    int slot = 0;
    std::string_view model;
    std::string_view chunk;
    bool restart = false;
};

class room_observer {
  public:
    virtual ~room_observer() = default;

    // A batch of records became durable: in seq order, already in room.history() and state().
    // Pauses, resumptions and the room's end arrive here too, as their records.
    virtual void committed(const room_handle&, std::span<const core::record>) {}

    // A fleet: records another node committed, followed here (room_runner::follow). They are
    // in room.history() and state() already; this node's own counts must not count them.
    virtual void followed(const room_handle&, std::span<const core::record>) {}
    // Text of the turn in progress, before its record exists.
    virtual void live(const room_handle&, const live_text&) {}

    // A provider call of a turn ended, with how long it took and how it ended ("ok", or a
    // failure kind such as "retriable").
    virtual void call_ended(const room_handle&, const config::model&,
                            std::chrono::steady_clock::duration, std::string_view) {}

    // The room's coroutine returned: it ended, stopped or failed (room.outcome() says which)
    // and commits nothing more unless an operator reopens it.
    virtual void stopped_running(const room_handle&) {}
};

}  // namespace polylogue::room
