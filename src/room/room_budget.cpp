// The spending step of a turn, before its provider call: the room's max_cost_usd and the
// daemon's daily budget are checked against the turn's worst case (turn_cost.hpp). A turn that
// would not fit ends the room (max_cost_usd) or pauses it until the budget renews (the daily
// budget), and no request goes out.

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "polylogue/core/text.hpp"
#include "polylogue/room/room_runner.hpp"
#include "room/turn_cost.hpp"
#include "single_record.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

asio::awaitable<std::optional<room_runner::step_result>> room_runner::refuse_unaffordable(
    int slot, const turn_cost_bound& bound) {
    const member_state& member = *state_.member(slot);
    co_return co_await refuse_unaffordable_for(core::slot_label(slot) + " (" + member.model + ")",
                                               bound);
}

asio::awaitable<std::optional<room_runner::step_result>> room_runner::refuse_unaffordable_for(
    std::string speaker, turn_cost_bound bound) {
    if (auto reason = room_cap_refusal(state_, effective_, bound, speaker)) {
        co_return co_await finish(std::move(*reason));
    }
    if (!services_.budget) {
        co_return std::nullopt;
    }
    const auto now = std::chrono::system_clock::now();
    const auto verdict = services_.budget->reserve(bound.usd, now);
    switch (verdict.what) {
        case daily_budget::verdict::kind::granted:
            held_usd_ = bound.usd;
            co_return std::nullopt;
        case daily_budget::verdict::kind::busy:
            co_return co_await wait_for_budget();
        case daily_budget::verdict::kind::spent:
            break;
    }
    const auto until = daily_budget::next_day(now);
    co_return co_await pause_for_budget(
        budget_pause_text(verdict, bound, speaker, core::format_rfc3339(until)), until);
}

asio::awaitable<room_runner::step_result> room_runner::pause_for_budget(
    std::string text, std::chrono::system_clock::time_point until) {
    core::record paused = make_record(core::record_type::paused, 0, std::move(text));
    paused.resume_at = core::format_rfc3339(until);
    paused_under_limit_ = services_.budget->limit();
    services_.log->warn("room {}: {}", room_->name, paused.text);
    co_return co_await commit(single_record(std::move(paused)));
}

// The turns in flight hold what this one needs: it waits for one of them to settle (or for a
// request, an update, a stop), then the room decides its next turn again.
asio::awaitable<room_runner::step_result> room_runner::wait_for_budget() {
    services_.budget->wake_on_release(&wakeup_);
    if (!stopping_ && requests_.empty() && !update_) {
        wakeup_.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ignored;  // cancelled by a release, requests and stop()
        co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    services_.budget->forget(&wakeup_);
    co_return step_result{};
}

// Why a room the daily budget paused may go on: a new UTC day, or a reload that raised or
// removed budget_usd_per_day. nullopt: it stays paused.
std::optional<std::string> room_runner::budget_renewal() const {
    if (std::chrono::system_clock::now() >= *state_.resume_at) {
        return "The room was resumed: the daily budget renews with the new UTC day";
    }
    const std::optional<double> limit = services_.budget ? services_.budget->limit() : std::nullopt;
    if (!limit) {
        return "The room was resumed: a reload removed budget_usd_per_day";
    }
    if (!paused_under_limit_ || *limit > *paused_under_limit_) {
        return "The room was resumed: a reload raised budget_usd_per_day to " + usd(*limit);
    }
    return std::nullopt;
}

void room_runner::release_budget() {
    if (held_usd_ && services_.budget) {
        services_.budget->release(*held_usd_);
    }
    held_usd_.reset();
}

void room_runner::release_budget_share(double usd) {
    if (!held_usd_) {
        return;
    }
    const double share = std::min(usd, *held_usd_);
    if (services_.budget) {
        services_.budget->release(share);
    }
    *held_usd_ -= share;
    if (*held_usd_ <= 0) {
        held_usd_.reset();
    }
}

}  // namespace polylogue::room
