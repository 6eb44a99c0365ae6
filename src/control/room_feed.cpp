#include "polylogue/control/room_feed.hpp"

#include "polylogue/control/room_view.hpp"

namespace polylogue::control {

namespace {

constexpr auto json_replace = nlohmann::json::error_handler_t::replace;

// A room's committed records, as the SSE streams read them.
class history_source final : public record_source {
  public:
    explicit history_source(const room::room_handle& room) : room_{&room} {}

    record_page page_after(std::int64_t after, std::size_t max_bytes) const override {
        record_page page;
        for (const auto& r : records_after(room_->history(), after)) {
            if (page.frames.size() >= max_bytes) {
                break;
            }
            page.frames += record_frame(r);
            page.last_seq = r.seq;
        }
        return page;
    }

    std::string summary_frame() const override { return room_frame(*room_); }

  private:
    const room::room_handle* room_;
};

}  // namespace

std::string record_frame(const core::record& r) {
    return sse_frame(std::to_string(r.seq), "record",
                     core::to_json(r).dump(-1, ' ', false, json_replace));
}

std::string live_frame(const room::live_text& live) {
    nlohmann::json data{
        {"slot", live.slot}, {"speaker", core::slot_label(live.slot)}, {"model", live.model}};
    if (!live.restart) {
        data["text"] = live.chunk;
    }
    return sse_frame("", live.restart ? "restart" : "token",
                     data.dump(-1, ' ', false, json_replace));
}

std::string room_frame(const room::room_handle& room) {
    return sse_frame("", "room", room_summary(room).dump(-1, ' ', false, json_replace));
}

std::shared_ptr<http::response_stream> room_feed::follow(const room::room_handle& room,
                                                         std::int64_t after) {
    return hub_->subscribe(room.room().name, std::make_shared<history_source>(room), after,
                           room.state().ended);
}

void room_feed::removed(std::string_view room) {
    hub_->close_room(room);
}

void room_feed::committed(const room::room_handle& room, std::span<const core::record> records) {
    const std::string& name = room.room().name;
    if (!hub_->has_clients(name)) {
        return;
    }
    for (const auto& r : records) {
        hub_->publish(name, record_frame(r), r.seq);
    }
    hub_->publish(name, room_frame(room));
}

void room_feed::live(const room::room_handle& room, const room::live_text& live) {
    const std::string& name = room.room().name;
    if (hub_->has_clients(name)) {
        hub_->publish(name, live_frame(live));
    }
}

// Its clients see how it stands now (ended, stopped, failed); the streams of an ended room end
// once they have sent what they hold.
void room_feed::stopped_running(const room::room_handle& room) {
    const std::string& name = room.room().name;
    if (!hub_->has_clients(name)) {
        return;
    }
    hub_->publish(name, room_frame(room));
    if (room.state().ended) {
        hub_->finish_room(name);
    }
}

}  // namespace polylogue::control
