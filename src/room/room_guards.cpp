// The runaway guards (docs/config.md, "loop_guard" and "max_ai_streak"): looked at between two
// turns, after the AI messages committed since their last look, before the next turn starts.

#include <cstdio>

#include "polylogue/room/room_runner.hpp"
#include "room/loop_similarity.hpp"
#include "single_record.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

namespace {

std::string two_decimals(double value) {
    char text[16];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

}  // namespace

asio::awaitable<room_runner::step_result> room_runner::guarded_turn() {
    const step_result guarded = co_await apply_guards();
    if (!guarded || state_.paused || state_.ended) {
        co_return guarded;
    }
    co_return co_await take_next_turn();
}

asio::awaitable<room_runner::step_result> room_runner::apply_guards() {
    if (state_.last_seq == guards_seen_seq_) {
        co_return step_result{};
    }
    guards_seen_seq_ = state_.last_seq;
    if (effective_.loop_guard) {
        const config::loop_guard& guard = *effective_.loop_guard;
        if (const auto found = find_loop(history_, state_.loop_checked_after, guard)) {
            const std::string finding = "the last " + std::to_string(found->messages) +
                                        " AI messages repeat each other closely (similarity " +
                                        two_decimals(found->similarity) + ")";
            services_.log->warn("room {}: loop guard ({}): {}", room_->name,
                                config::to_string(guard.action), finding);
            std::vector<core::record> records;
            core::record detected =
                make_record(core::record_type::loop_detected, 0,
                            "The last " + std::to_string(found->messages) +
                                " messages repeat each other closely (similarity " +
                                two_decimals(found->similarity) +
                                "). Change the subject or end the conversation.");
            detected.value = found->similarity;
            detected.detail = std::string{config::to_string(guard.action)};
            records.push_back(std::move(detected));
            if (guard.action == config::loop_action::pause) {
                records.push_back(make_record(core::record_type::paused, 0,
                                              "The room was paused by the loop guard: " + finding));
            } else if (guard.action == config::loop_action::end) {
                records.push_back(make_record(core::record_type::room_ended, 0,
                                              "the loop guard ended the room: " + finding));
            }
            co_return co_await commit(std::move(records));
        }
    }
    if (effective_.max_ai_streak && state_.ai_streak >= *effective_.max_ai_streak) {
        const std::string count = std::to_string(state_.ai_streak);
        services_.log->info("room {}: paused after {} AI messages without a human message",
                            room_->name, count);
        co_return co_await commit(single_record(make_record(
            core::record_type::paused, 0,
            "The room was paused after " + count +
                " AI messages without a human message (max_ai_streak " +
                std::to_string(*effective_.max_ai_streak) + "); a resume lets it go on")));
    }
    co_return step_result{};
}

}  // namespace polylogue::room
