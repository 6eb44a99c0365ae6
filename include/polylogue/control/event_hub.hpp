#pragma once
// Fan-out of a room's events to the clients following it over Server-Sent Events. Rooms never
// wait for a client: publish() only queues, and each client is served at its own pace. A
// client's records come from the room's committed history a page at a time while it is behind
// (its backlog, or after it fell behind), and from the live queue once it has caught up; so a
// client far behind, or one that reads nothing, holds one page and a bounded queue, never its
// whole backlog. Everything runs on the event loop thread.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/http/server.hpp"

namespace polylogue::control {

struct event_hub_settings {
    // Per client: live frames queued past this send it back to reading the history (live
    // `token` frames are lost meanwhile; records never are).
    std::size_t max_queued_bytes = 1024 * 1024;
    std::size_t page_bytes = 64 * 1024;           // records read from the history per write
    std::chrono::milliseconds heartbeat{15'000};  // a comment line when nothing else was sent
};

// One SSE frame: "id: ..\nevent: ..\ndata: ..\n\n". id may be empty; data is one line of JSON.
std::string sse_frame(std::string_view id, std::string_view event, std::string_view data);

// Frames of committed records, read when a stream needs them.
struct record_page {
    std::string frames;         // empty: nothing after the seq asked
    std::int64_t last_seq = 0;  // of the last record in frames
};

// Where a stream reads what it has not sent yet; what it reads from must outlive the streams.
class record_source {
  public:
    virtual ~record_source() = default;
    // The frames of the records with seq > after, in seq order: as many as fit in max_bytes,
    // and at least one when there is one.
    virtual record_page page_after(std::int64_t after, std::size_t max_bytes) const = 0;
    // A "room" frame: the room's summary as it is now.
    virtual std::string summary_frame() const = 0;
};

class event_stream;

class event_hub {
  public:
    event_hub(boost::asio::any_io_executor executor, event_hub_settings settings = {});
    event_hub(const event_hub&) = delete;
    event_hub& operator=(const event_hub&) = delete;
    ~event_hub();

    // A stream of the room's records with seq > after, read from source, then a room frame,
    // then every frame published for the room. A room that will produce nothing more (ended)
    // gets a stream that ends there.
    std::shared_ptr<http::response_stream> subscribe(const std::string& room,
                                                     std::shared_ptr<const record_source> source,
                                                     std::int64_t after,
                                                     bool room_finished = false);

    // A frame for the room's clients; record_seq is the seq of the record it carries (0: not a
    // record), so that a client still reading the history skips what it will read there.
    void publish(std::string_view room, std::string frame, std::int64_t record_seq = 0);

    // Whether anyone follows the room: a publisher skips building frames nobody would get.
    bool has_clients(std::string_view room) const noexcept;

    // Ends every stream (shutdown) or the streams of one room (it was removed) at once.
    void close_all();
    void close_room(std::string_view room);

    // Ends the room's streams once each has sent what it has queued: the room has finished.
    void finish_room(std::string_view room);

    std::size_t clients() const noexcept;
    // How many times a client fell max_queued_bytes behind and went back to the history.
    std::size_t lagging_clients() const noexcept { return lagging_; }

  private:
    friend class event_stream;
    void forget(event_stream* stream);

    boost::asio::any_io_executor executor_;
    event_hub_settings settings_;
    std::multimap<std::string, event_stream*, std::less<>> streams_;  // by room
    std::size_t lagging_ = 0;
};

}  // namespace polylogue::control
