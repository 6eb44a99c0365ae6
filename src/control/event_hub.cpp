#include "polylogue/control/event_hub.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>

namespace polylogue::control {

namespace asio = boost::asio;

std::string sse_frame(std::string_view id, std::string_view event, std::string_view data) {
    std::string frame;
    frame.reserve(id.size() + event.size() + data.size() + 24);
    if (!id.empty()) {
        frame.append("id: ").append(id).append("\n");
    }
    frame.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
    return frame;
}

// Owned by the server's connection (shared_ptr); the hub keeps a plain pointer that the stream
// removes when it is destroyed, so a gone client costs nothing to publishers.
class event_stream final : public http::response_stream {
  public:
    event_stream(event_hub& hub, std::string room, std::vector<std::string> backlog)
        : hub_{&hub}, room_{std::move(room)}, wakeup_{hub.executor_} {
        for (auto& frame : backlog) {
            push(std::move(frame));
        }
    }
    ~event_stream() override {
        if (hub_ != nullptr) {
            hub_->forget(this);
        }
    }

    const std::string& room() const noexcept { return room_; }

    void push(std::string frame) {
        if (closed_) {
            return;
        }
        queued_bytes_ += frame.size();
        queue_.push_back(std::move(frame));
        if (hub_ != nullptr && queued_bytes_ > hub_->settings_.max_queued_bytes) {
            ++hub_->dropped_;
            close();
            return;
        }
        wakeup_.cancel();
    }

    void finish() {
        finishing_ = true;
        wakeup_.cancel();
    }

    void close() {
        closed_ = true;
        queue_.clear();
        wakeup_.cancel();
    }

    void detach() noexcept { hub_ = nullptr; }

    asio::awaitable<void> run(http::stream_writer& out) override {
        const auto heartbeat = hub_ ? hub_->settings_.heartbeat : std::chrono::milliseconds{15000};
        // Tells proxies and the browser that the stream is open before the first event; a
        // browser that reconnects to a finished room waits a minute between tries.
        if (!co_await out.write(finishing_ ? ": polylogue events\nretry: 60000\n\n"
                                           : ": polylogue events\n\n")) {
            co_return;
        }
        while (!closed_) {
            if (queue_.empty() && finishing_) {
                co_return;
            }
            if (queue_.empty()) {
                wakeup_.expires_after(heartbeat);
                boost::system::error_code ec;
                co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                if (!ec && queue_.empty() && !closed_ && !co_await out.write(": keep-alive\n\n")) {
                    co_return;
                }
                continue;
            }
            std::string batch;
            while (!queue_.empty() && batch.size() < 64 * 1024) {
                batch += queue_.front();
                queue_.pop_front();
            }
            queued_bytes_ -= std::min(queued_bytes_, batch.size());
            if (!co_await out.write(std::move(batch))) {
                co_return;
            }
        }
    }

  private:
    event_hub* hub_;
    std::string room_;
    asio::steady_timer wakeup_;
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    bool closed_ = false;
    bool finishing_ = false;
};

event_hub::event_hub(asio::any_io_executor executor, event_hub_settings settings)
    : executor_{std::move(executor)}, settings_{settings} {}

event_hub::~event_hub() {
    for (auto& [room, stream] : streams_) {
        stream->close();
        stream->detach();
    }
}

std::shared_ptr<http::response_stream> event_hub::subscribe(const std::string& room,
                                                            std::vector<std::string> backlog,
                                                            bool room_finished) {
    auto stream = std::make_shared<event_stream>(*this, room, std::move(backlog));
    if (room_finished) {
        stream->finish();
    }
    streams_.emplace(room, stream.get());
    return stream;
}

void event_hub::publish(std::string_view room, const std::string& frame) {
    auto [first, last] = streams_.equal_range(room);
    for (auto it = first; it != last; ++it) {
        it->second->push(frame);
    }
}

bool event_hub::has_clients(std::string_view room) const noexcept {
    return !streams_.empty() && streams_.find(room) != streams_.end();
}

void event_hub::close_all() {
    for (auto& [room, stream] : streams_) {
        stream->close();
    }
}

void event_hub::finish_room(std::string_view room) {
    auto [first, last] = streams_.equal_range(room);
    for (auto it = first; it != last; ++it) {
        it->second->finish();
    }
}

void event_hub::close_room(std::string_view room) {
    auto [first, last] = streams_.equal_range(room);
    for (auto it = first; it != last; ++it) {
        it->second->close();
    }
}

std::size_t event_hub::clients() const noexcept {
    return streams_.size();
}

void event_hub::forget(event_stream* stream) {
    auto [first, last] = streams_.equal_range(stream->room());
    for (auto it = first; it != last; ++it) {
        if (it->second == stream) {
            streams_.erase(it);
            return;
        }
    }
}

}  // namespace polylogue::control
