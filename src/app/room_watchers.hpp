#pragma once
// The daemon's observer of every room: what a room tells goes to the chat log, the metrics and
// the control API's feed, in that order. One observer that fans out, rather than a list in
// each room, so that which watcher hears what (the metrics count calls and records, the chat
// log shows live text, the feed publishes all of it) is decided here, in the wiring, and the
// chat log and the metrics keep interfaces of their own.

#include <memory>

#include "chat_log.hpp"
#include "polylogue/config/config.hpp"
#include "polylogue/control/metrics.hpp"
#include "polylogue/control/room_feed.hpp"
#include "polylogue/room/room_observer.hpp"

namespace polylogue::app {

class room_watchers final : public room::room_observer {
  public:
    // counters and feed may be null (run follows no room and counts nothing); each outlives this.
    room_watchers(chat_log& chat, control::metrics* counters, control::room_feed* feed)
        : chat_{&chat}, counters_{counters}, feed_{feed} {}

    // The config whose catalogue the metrics read (a failure's provider): the newest loaded.
    void use_config(std::shared_ptr<const config::config> cfg) { cfg_ = std::move(cfg); }

    void committed(const room::room_handle& room, std::span<const core::record> records) override;
    void followed(const room::room_handle& room, std::span<const core::record> records) override;
    void live(const room::room_handle& room, const room::live_text& live) override;
    void call_ended(const room::room_handle& room, const config::model& model,
                    std::chrono::steady_clock::duration took, std::string_view outcome) override;
    void stopped_running(const room::room_handle& room) override;

  private:
    chat_log* chat_;
    control::metrics* counters_;
    control::room_feed* feed_;
    std::shared_ptr<const config::config> cfg_;
};

}  // namespace polylogue::app
