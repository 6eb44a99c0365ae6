// Managing a room while it runs: the settings an operator changes (settings_changed), taking a
// member out (left) and archiving (archived). Requests are carried out between two turns by the
// room itself, as the other operator requests are (room_control.cpp).

#include <nlohmann/json.hpp>

#include "polylogue/config/room_settings.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/room/room_runner.hpp"
#include "room/control_request.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

namespace {

std::string value_text(const nlohmann::json& value) {
    if (value.is_null()) {
        return "none";
    }
    return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

void room_runner::refresh_settings(const config::room* replaced) {
    effective_ = config::effective_room(*room_, state_.settings);
    if (replaced == nullptr || replaced == room_) {
        return;
    }
    // The transcript's settings win over the file (docs/config.md, "Settings changed while a
    // room runs"): a reload that changes such a key says so rather than being silently ignored.
    for (const std::string& key : config::overridden_room_keys(state_.settings)) {
        const auto was = config::room_setting_value(*replaced, key);
        const auto wanted = config::room_setting_value(*room_, key);
        if (was != wanted) {
            services_.log->warn(
                "room {}: the reloaded config changes {} from {} to {}, but an operator set it "
                "to {} while the room ran; {} is kept until PATCH /v1/rooms/{} sets {} to null",
                room_->name, key, value_text(was), value_text(wanted),
                value_text(config::room_setting_value(effective_, key)),
                value_text(config::room_setting_value(effective_, key)), room_->name, key);
        }
    }
}

asio::awaitable<result<std::int64_t>> room_runner::change_settings(std::string settings,
                                                                   std::string by) {
    const auto changed = nlohmann::json::parse(settings, nullptr, false);
    if (!changed.is_object() || changed.empty()) {
        co_return result<std::int64_t>{errc::invalid_argument};
    }
    const config::room after =
        config::effective_room(*room_, merged_settings(state_.settings, settings));
    std::string what;
    for (const auto& [key, value] : changed.items()) {
        what += (what.empty() ? "" : ", ") + key + " " +
                value_text(config::room_setting_value(effective_, key)) + " -> " +
                value_text(config::room_setting_value(after, key)) +
                (value.is_null() ? " (the config file's value)" : "");
    }
    core::record r = make_record(core::record_type::settings_changed, 0, by + " changed " + what);
    r.settings = std::move(settings);
    co_return co_await submit(
        std::make_shared<control_request>(wakeup_.get_executor(), std::move(r)));
}

asio::awaitable<result<std::int64_t>> room_runner::remove_member(int slot, std::string by) {
    const member_state* member = state_.member(slot);
    if (member == nullptr || member->left) {
        co_return result<std::int64_t>{errc::not_found};
    }
    core::record r = make_record(
        core::record_type::left, slot,
        core::slot_label(slot) + " (" + member->model + ") was taken out of the room by " + by);
    co_return co_await submit(
        std::make_shared<control_request>(wakeup_.get_executor(), std::move(r)));
}

asio::awaitable<result<std::int64_t>> room_runner::archive(std::string by) {
    if (state_.archived) {
        co_return result<std::int64_t>{errc::room_closed};
    }
    if (running_ && !stopping_ && !state_.ended) {
        auto request = std::make_shared<control_request>(
            wakeup_.get_executor(),
            make_record(core::record_type::room_ended, 0, "archived by " + by));
        request->more.push_back(
            make_record(core::record_type::archived, 0, "The room was archived by " + by));
        const auto done = co_await submit(std::move(request));
        if (done || done.error() != errc::room_closed) {
            co_return done;
        }
    }
    co_return co_await archive_stopped(std::move(by));
}

// A room whose run() has returned (it ended, or failed): this is the only writer of its records.
asio::awaitable<result<std::int64_t>> room_runner::archive_stopped(std::string by) {
    if (running_ || stopping_ || archiving_ || reopening_ || state_.archived) {
        co_return result<std::int64_t>{errc::room_closed};
    }
    archiving_ = true;
    std::vector<core::record> records;
    if (!state_.ended) {
        records.push_back(make_record(core::record_type::room_ended, 0, "archived by " + by));
    }
    records.push_back(
        make_record(core::record_type::archived, 0, "The room was archived by " + by));
    const step_result committed = co_await commit(std::move(records));
    archiving_ = false;
    if (!committed) {
        co_return result<std::int64_t>{committed.error()};
    }
    services_.log->info("room {}: archived by {}", room_->name, by);
    co_return state_.last_seq;
}

}  // namespace polylogue::room
