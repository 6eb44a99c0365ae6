#pragma once
// What the rest of the daemon may ask of a room: what it is, how it stands, what it has
// committed, and the requests of an operator. The control API and the observers see a room
// only through this; room_runner is its one implementation. Everything runs on the event loop.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <span>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/error.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/room/room_state.hpp"

namespace polylogue::room {

enum class room_outcome {
    running,
    ended,    // the room reached its end; a room_ended record says why
    stopped,  // stop() was called (shutdown, removed from the config); resumes on the next start
    failed,   // storage failed or a bug; the log says why
};

class room_handle {
  public:
    virtual ~room_handle() = default;

    // The room as the config file (or the API's creation) has it.
    virtual const config::room& room() const noexcept = 0;
    // room() with the settings operators changed (state().settings) laid over it: what the room
    // runs by (config/room_settings.hpp).
    virtual const config::room& effective() const noexcept = 0;
    // The committed records folded: members, turns, tokens, cost, paused, ended.
    virtual const room_state& state() const noexcept = 0;
    virtual room_outcome outcome() const noexcept = 0;
    // Why the room failed (outcome failed), e.g. SQLite's reason for a storage failure.
    virtual const std::string& failure() const noexcept = 0;
    // Whether its coroutine runs: false once it ended, stopped or failed.
    virtual bool running() const noexcept = 0;
    // Every committed record, in seq order; valid until the room commits again.
    virtual std::span<const core::record> history() const noexcept = 0;

    // Each completes once its record is durable, between two turns, with the record's seq;
    // errc::room_closed when the room has ended or does not run. resume() also reinstates the
    // suspended members, and reopens a room that ended because its members failed.
    virtual boost::asio::awaitable<result<std::int64_t>> interject(std::string speaker,
                                                                   std::string text) = 0;
    virtual boost::asio::awaitable<result<std::int64_t>> pause(std::string by) = 0;
    virtual boost::asio::awaitable<result<std::int64_t>> resume(std::string by) = 0;
    virtual boost::asio::awaitable<result<std::int64_t>> end(std::string reason) = 0;
    // The member with that label (e.g. "AI-2") takes the next turn, once: a next_speaker record
    // chosen_by "operator <by>". errc::not_found when no present AI has the label,
    // errc::conflict when it cannot speak now (out of replies, suspended, muted).
    virtual boost::asio::awaitable<result<std::int64_t>> choose_next(std::string speaker,
                                                                     std::string by) = 0;
    // A settings_changed record: settings as config::validate_room_settings normalized it;
    // by says who changed them.
    virtual boost::asio::awaitable<result<std::int64_t>> change_settings(std::string settings,
                                                                         std::string by) = 0;
    // A left record for the member in slot: errc::not_found when no present member sits there.
    virtual boost::asio::awaitable<result<std::int64_t>> remove_member(int slot,
                                                                       std::string by) = 0;
    // Ends the room when it has not ended (room_ended), then an archived record; a room that
    // no longer runs is archived too. errc::room_closed when it is archived already.
    virtual boost::asio::awaitable<result<std::int64_t>> archive(std::string by) = 0;
};

}  // namespace polylogue::room
