#pragma once
// Fan-out of a room's events to the clients following it over Server-Sent Events. Rooms never
// wait for a client: publish() only queues, each client drains its own queue at its own pace,
// and a client whose queue grows past its limit is disconnected (it resumes with Last-Event-ID).
// Everything runs on the event loop thread.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/http/server.hpp"

namespace polylogue::control {

struct event_hub_settings {
    std::size_t max_queued_bytes = 8 * 1024 * 1024;  // per client; beyond it the client is dropped
    std::chrono::milliseconds heartbeat{15'000};     // a comment line when nothing else was sent
};

// One SSE frame: "id: ..\nevent: ..\ndata: ..\n\n". id may be empty; data is one line of JSON.
std::string sse_frame(std::string_view id, std::string_view event, std::string_view data);

class event_stream;

class event_hub {
  public:
    event_hub(boost::asio::any_io_executor executor, event_hub_settings settings = {});
    event_hub(const event_hub&) = delete;
    event_hub& operator=(const event_hub&) = delete;
    ~event_hub();

    // A stream that first sends backlog (frames already formatted), then every frame published
    // for room from now on. Call it in the same step as reading the backlog, so that nothing
    // falls between the two.
    // A room that will produce nothing more (ended) gets a stream that ends after its backlog.
    std::shared_ptr<http::response_stream> subscribe(const std::string& room,
                                                     std::vector<std::string> backlog,
                                                     bool room_finished = false);

    void publish(std::string_view room, const std::string& frame);

    // Whether anyone follows the room: a publisher skips building frames nobody would get.
    bool has_clients(std::string_view room) const noexcept;

    // Ends every stream (shutdown) or the streams of one room (it was removed) at once.
    void close_all();
    void close_room(std::string_view room);

    // Ends the room's streams once each has sent what it has queued: the room has finished.
    void finish_room(std::string_view room);

    std::size_t clients() const noexcept;
    std::size_t dropped_clients() const noexcept { return dropped_; }

  private:
    friend class event_stream;
    void forget(event_stream* stream);

    boost::asio::any_io_executor executor_;
    event_hub_settings settings_;
    std::multimap<std::string, event_stream*, std::less<>> streams_;  // by room
    std::size_t dropped_ = 0;
};

}  // namespace polylogue::control
