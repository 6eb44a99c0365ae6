// turn_order parallel (docs/config.md, "turn_order"): a round is every member that can speak now
// answering the same transcript at once. Every request of the round is rendered from the same
// history, the round's worst case is held against the budgets as one, and the calls are in
// flight together; the replies (or failures) are then committed one member at a time in round
// order, each planned against the records committed before it, and turn_delay follows once.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>

#include "image_reading.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/room/room_runner.hpp"
#include "polylogue/room/turn_decision.hpp"
#include "room/parallel_round.hpp"
#include "room/turn_cost.hpp"
#include "single_record.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

// One member's part of a round, rendered before any call goes out.
struct room_runner::round_call {
    int slot = 0;
    const config::model* model = nullptr;
    providers::completion_request request;
    turn_cost_bound bound;
    std::optional<core::record> trim_notice;
};

// The calls in flight: each stores its outcome, and the last to finish wakes the round.
struct room_runner::round_calls {
    round_calls(const asio::any_io_executor& executor, std::size_t count)
        : all_done{executor}, outcomes(count), errors(count), pending{count} {}

    asio::steady_timer all_done;
    std::vector<std::optional<providers::completion_outcome>> outcomes;
    std::vector<std::exception_ptr> errors;  // bugs, rethrown once every call is over
    std::size_t pending;
};

namespace {

// The round's worst case: what each member could spend, added up.
turn_cost_bound round_bound(const std::vector<turn_cost_bound>& bounds) {
    turn_cost_bound sum;
    for (const turn_cost_bound& b : bounds) {
        sum.usd += b.usd;
        if (b.priced) {
            sum.priced = true;
            sum.prompt_tokens += b.prompt_tokens;
            sum.max_tokens += b.max_tokens;
        }
        sum.tool_calls += b.tool_calls;
        sum.tool_price = std::max(sum.tool_price, b.tool_price);
    }
    return sum;
}

}  // namespace

asio::awaitable<room_runner::step_result> room_runner::take_parallel_round() {
    const auto now = std::chrono::system_clock::now();
    // The room-wide answers (max_turns, max_cost_usd, nobody left, everyone suspended) are
    // round robin's; only who speaks differs.
    const turn_decision next =
        next_turn(state_, effective_.max_turns, effective_.max_cost_usd, now);
    if (next.what == turn_decision::kind::end) {
        co_return co_await finish(next.reason, next.failure);
    }
    if (next.what == turn_decision::kind::wait) {
        co_return co_await wait_for_retry(next.until);
    }
    std::vector<int> muted;
    std::vector<int> speakers;
    for (const round_seat& seat :
         parallel_round(state_, effective_.max_turns - state_.ai_turns, now)) {
        (seat.skip ? muted : speakers).push_back(seat.slot);
    }
    const step_result skipped = co_await commit_round_skips(std::move(muted));
    if (!skipped || speakers.empty()) {
        co_return skipped;
    }
    co_return co_await speak_together(std::move(speakers));
}

// Before the round's requests are rendered: the speakers see who sits out.
asio::awaitable<room_runner::step_result> room_runner::commit_round_skips(std::vector<int> slots) {
    std::vector<core::record> skips;
    skips.reserve(slots.size());
    for (const int slot : slots) {
        skips.push_back(
            make_record(core::record_type::skip, slot,
                        core::slot_label(slot) + " sits out this round (muted itself)"));
    }
    if (skips.empty()) {
        co_return step_result{};
    }
    co_return co_await commit(std::move(skips));
}

asio::awaitable<room_runner::step_result> room_runner::speak_together(std::vector<int> slots) {
    std::vector<core::record> gone;
    std::vector<round_call> calls;
    for (const int slot : slots) {
        const member_state& member = *state_.member(slot);
        const config::model* model = services_.cfg->find_model(member.model);
        if (model == nullptr) {
            gone.push_back(make_record(core::record_type::member_exhausted, slot,
                                       core::slot_label(slot) + " (" + member.model +
                                           ") is no longer in the catalogue and speaks no more"));
        } else {
            calls.push_back(round_call{slot, model, {}, {}, {}});
        }
    }
    if (!gone.empty()) {
        const step_result committed = co_await commit(std::move(gone));
        if (!committed || calls.empty()) {
            co_return committed;
        }
    }
    if (auto instead = co_await prepare_round(&calls)) {
        co_return *instead;
    }
    const auto executor = co_await asio::this_coro::executor;
    auto answers = std::make_shared<round_calls>(executor, calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
        // A plain handler, not a coroutine: it stores nothing but what ended the call.
        asio::co_spawn(executor, call_into(answers, i, calls[i].model, std::move(calls[i].request)),
                       [answers, i](std::exception_ptr error) {
                           answers->errors[i] = error;
                           if (--answers->pending == 0) {
                               answers->all_done.cancel();
                           }
                       });
    }
    // Every call has its deadlines, so this ends; a stop() waits for it like for any turn.
    while (answers->pending > 0) {
        answers->all_done.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ignored;
        co_await answers->all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    for (const std::exception_ptr& error : answers->errors) {
        if (error) {
            release_budget();
            std::rethrow_exception(error);
        }
    }
    co_return co_await commit_round(std::move(calls), std::move(answers));
}

// Renders every request from the same history, holds the round's worst case against the
// budgets and commits the trim notices. A value: no request goes out (the room ended, paused,
// waits for the daily budget, or storage failed).
asio::awaitable<std::optional<room_runner::step_result>> room_runner::prepare_round(
    std::vector<round_call>* calls) {
    std::vector<turn_cost_bound> bounds;
    std::string speakers;
    for (round_call& call : *calls) {
        call.request = make_request(call.slot, *call.model);
        call.trim_notice = std::move(trim_notice_);
        trim_notice_.reset();
        call.bound = worst_case_cost(*services_.cfg, *room_, *call.model, prompt_tokens_);
        bounds.push_back(call.bound);
        speakers += (speakers.empty() ? "" : ", ") + core::slot_label(call.slot) + " (" +
                    call.model->name + ")";
    }
    const std::string who = calls->size() == 1 ? speakers : "the round of " + speakers;
    if (auto instead = co_await refuse_unaffordable_for(who, round_bound(bounds))) {
        co_return instead;
    }
    std::vector<core::record> notices;
    for (round_call& call : *calls) {
        const auto unread = co_await read_shown_images_off_loop(
            services_.committer, &call.request.messages, services_.cfg->data_dir);
        for (const std::string& path : unread) {
            services_.log->warn(
                "room {}: the image {} could not be read for {}; its notice goes "
                "alone",
                room_->name, path, core::slot_label(call.slot));
        }
        if (call.trim_notice) {
            notices.push_back(std::move(*call.trim_notice));
        }
    }
    if (!notices.empty()) {
        // Before the calls, so that the notices precede the streamed replies in seq.
        const step_result committed = co_await commit(std::move(notices));
        if (!committed) {
            release_budget();
            co_return committed;
        }
    }
    co_return std::nullopt;
}

asio::awaitable<void> room_runner::call_into(std::shared_ptr<round_calls> calls, std::size_t index,
                                             const config::model* model,
                                             providers::completion_request request) {
    calls->outcomes[index].emplace(co_await call_provider(model, std::move(request)));
}

// In round order, one batch per member: each reply's commands are planned against the state
// the earlier replies of the round left, and its tools run before the next reply is planned.
asio::awaitable<room_runner::step_result> room_runner::commit_round(
    std::vector<round_call> calls, std::shared_ptr<round_calls> answers) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
        providers::completion_outcome& outcome = *answers->outcomes[i];
        step_result committed;
        if (outcome) {
            committed = co_await commit_reply(calls[i].slot, calls[i].model, std::move(*outcome));
        } else {
            committed = co_await commit_failure(calls[i].slot, outcome.error());
        }
        release_budget_share(calls[i].bound.usd);
        if (!committed) {
            release_budget();
            co_return committed;
        }
    }
    release_budget();
    co_return co_await pause_between_turns();
}

}  // namespace polylogue::room
