#pragma once
// The control API's feed of the rooms: what an SSE client of a room receives. The frames of a
// record, of live text and of the room's summary are built here and nowhere else, so that a
// record reads the same bytes in a client's backlog (from the room's history) and live (from
// the room's commits). The rooms tell the feed directly (it is their observer); it publishes
// through the event_hub, and builds nothing for a room that nobody follows.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "polylogue/control/event_hub.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_handle.hpp"
#include "polylogue/room/room_observer.hpp"

namespace polylogue::control {

// "id: SEQ\nevent: record\n..." with the record's JSON (docs/control-api.md).
std::string record_frame(const core::record& r);
// A "token" frame with the chunk, or a "restart" frame.
std::string live_frame(const room::live_text& live);
// A "room" frame: the room's summary as it is now.
std::string room_frame(const room::room_handle& room);

class room_feed final : public room::room_observer {
  public:
    explicit room_feed(event_hub& hub) : hub_{&hub} {}

    // A stream of the room's records with seq > after (its backlog, read from the room's
    // history), then its summary, then what the room publishes. The room must outlive the
    // stream (the daemon never destroys a room before it ends).
    std::shared_ptr<http::response_stream> follow(const room::room_handle& room,
                                                  std::int64_t after);

    // The room left the daemon (a reload removed it): its streams end now.
    void removed(std::string_view room);

    void committed(const room::room_handle& room, std::span<const core::record> records) override;
    void live(const room::room_handle& room, const room::live_text& live) override;
    void stopped_running(const room::room_handle& room) override;

  private:
    event_hub* hub_;
};

}  // namespace polylogue::control
