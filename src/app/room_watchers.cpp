#include "room_watchers.hpp"

namespace polylogue::app {

void room_watchers::committed(const room::room_handle& room,
                              std::span<const core::record> records) {
    chat_->on_commit(room.room(), records);
    if (counters_ != nullptr) {
        counters_->count_records(*cfg_, room.room().name, records);
    }
    if (feed_ != nullptr) {
        feed_->committed(room, records);
    }
}

void room_watchers::followed(const room::room_handle& room, std::span<const core::record> records) {
    if (feed_ != nullptr) {
        feed_->committed(room, records);
    }
}

void room_watchers::live(const room::room_handle& room, const room::live_text& live) {
    chat_->on_live(room.room(), live);
    if (feed_ != nullptr) {
        feed_->live(room, live);
    }
}

void room_watchers::call_ended(const room::room_handle&, const config::model& model,
                               std::chrono::steady_clock::duration took, std::string_view outcome) {
    if (counters_ != nullptr) {
        counters_->observe_call(model.provider, took, outcome);
    }
}

void room_watchers::stopped_running(const room::room_handle& room) {
    if (feed_ != nullptr) {
        feed_->stopped_running(room);
    }
}

}  // namespace polylogue::app
