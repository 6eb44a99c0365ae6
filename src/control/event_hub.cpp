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
    event_stream(event_hub& hub, std::string room, std::shared_ptr<const record_source> source,
                 std::int64_t after)
        : hub_{&hub},
          settings_{hub.settings_},
          room_{std::move(room)},
          source_{std::move(source)},
          wakeup_{hub.executor_},
          sent_seq_{after} {}
    ~event_stream() override {
        if (hub_ != nullptr) {
            hub_->forget(this);
        }
    }

    const std::string& room() const noexcept { return room_; }

    void push(const std::shared_ptr<const std::string>& frame, std::int64_t record_seq) {
        if (closed_ || reading_history_) {
            return;  // the history has the records; a room frame follows once caught up
        }
        if (record_seq != 0 && record_seq != queued_seq_ + 1) {
            if (record_seq > queued_seq_) {
                fall_behind();  // a gap: never expected, but the history can fill it
            }
            return;
        }
        queued_seq_ = record_seq != 0 ? record_seq : queued_seq_;
        queued_bytes_ += frame->size();
        queue_.push_back({frame, record_seq});
        if (queued_bytes_ > settings_.max_queued_bytes) {
            fall_behind();
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
        // Tells proxies and the browser that the stream is open before the first event; a
        // browser that reconnects to a finished room waits a minute between tries.
        if (!co_await out.write(finishing_ ? ": polylogue events\nretry: 60000\n\n"
                                           : ": polylogue events\n\n")) {
            co_return;
        }
        bool writing = true;
        while (writing && !closed_) {
            if (reading_history_) {
                writing = co_await send_history_page(out);
            } else if (!queue_.empty()) {
                writing = co_await send_queued(out);
            } else if (finishing_) {
                writing = false;
            } else {
                writing = co_await wait_for_more(out);
            }
        }
    }

  private:
    struct queued_frame {
        std::shared_ptr<const std::string> frame;
        std::int64_t record_seq;  // 0: not a record
    };

    // Back to reading the history from the last record sent: what was queued is dropped.
    void fall_behind() {
        if (hub_ != nullptr) {
            ++hub_->lagging_;
        }
        queue_.clear();
        queued_bytes_ = 0;
        reading_history_ = true;
        wakeup_.cancel();
    }

    // One page of the history; when there is none left, the stream is live from here on,
    // which happens in the same step as the last read, so no record falls between the two.
    asio::awaitable<bool> send_history_page(http::stream_writer& out) {
        record_page page = source_->page_after(sent_seq_, settings_.page_bytes);
        if (page.frames.empty()) {
            reading_history_ = false;
            queued_seq_ = sent_seq_;
            push(std::make_shared<const std::string>(source_->summary_frame()), 0);
            co_return true;
        }
        sent_seq_ = page.last_seq;
        co_return co_await out.write(std::move(page.frames));
    }

    asio::awaitable<bool> send_queued(http::stream_writer& out) {
        std::string batch;
        while (!queue_.empty() && batch.size() < settings_.page_bytes) {
            const queued_frame& next = queue_.front();
            batch += *next.frame;
            queued_bytes_ -= std::min(queued_bytes_, next.frame->size());
            sent_seq_ = next.record_seq != 0 ? next.record_seq : sent_seq_;
            queue_.pop_front();
        }
        co_return co_await out.write(std::move(batch));
    }

    // Until something is queued or the heartbeat is due (a comment line, which also notices a
    // peer that left).
    asio::awaitable<bool> wait_for_more(http::stream_writer& out) {
        wakeup_.expires_after(settings_.heartbeat);
        boost::system::error_code ec;
        co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!ec && queue_.empty() && !closed_ && !reading_history_) {
            co_return co_await out.write(": keep-alive\n\n");
        }
        co_return true;
    }

    event_hub* hub_;
    event_hub_settings settings_;
    std::string room_;
    std::shared_ptr<const record_source> source_;
    asio::steady_timer wakeup_;
    std::deque<queued_frame> queue_;
    std::size_t queued_bytes_ = 0;
    std::int64_t sent_seq_;        // the last record handed to the writer
    std::int64_t queued_seq_ = 0;  // the last record queued (live only)
    bool reading_history_ = true;
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

std::shared_ptr<http::response_stream> event_hub::subscribe(
    const std::string& room, std::shared_ptr<const record_source> source, std::int64_t after,
    bool room_finished) {
    auto stream = std::make_shared<event_stream>(*this, room, std::move(source), after);
    if (room_finished) {
        stream->finish();
    }
    streams_.emplace(room, stream.get());
    return stream;
}

void event_hub::publish(std::string_view room, std::string frame, std::int64_t record_seq) {
    auto [first, last] = streams_.equal_range(room);
    if (first == last) {
        return;
    }
    const auto shared = std::make_shared<const std::string>(std::move(frame));
    for (auto it = first; it != last; ++it) {
        it->second->push(shared, record_seq);
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
