// The room's side of the control API: requests queue here and the room carries them out
// between two turns, so that the room coroutine stays the only writer of its records and seqs.

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

#include "polylogue/core/text.hpp"
#include "polylogue/room/room_runner.hpp"
#include "polylogue/room/turn_decision.hpp"
#include "room/control_request.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

namespace {

core::record operator_record(core::record_type type, std::string text) {
    core::record r;
    r.type = type;
    r.text = std::move(text);
    return r;
}

}  // namespace

void room_runner::update(room_services services, const config::room& room) {
    update_.emplace(std::move(services), &room);
    wakeup_.cancel();
}

void room_runner::apply_update() {
    if (!update_) {
        return;
    }
    // The old generation lives until the file's old values have been compared.
    const room_services replaced_services = std::exchange(services_, std::move(update_->first));
    const config::room* replaced = std::exchange(room_, update_->second);
    update_.reset();
    refresh_settings(replaced);
}

asio::awaitable<result<std::int64_t>> room_runner::interject(std::string speaker,
                                                             std::string text) {
    core::record r = operator_record(core::record_type::message, std::move(text));
    r.speaker = std::move(speaker);
    co_return co_await submit(
        std::make_shared<control_request>(wakeup_.get_executor(), std::move(r)));
}

asio::awaitable<result<std::int64_t>> room_runner::pause(std::string by) {
    co_return co_await submit(std::make_shared<control_request>(
        wakeup_.get_executor(),
        operator_record(core::record_type::paused, "The room was paused by " + by)));
}

asio::awaitable<result<std::int64_t>> room_runner::resume(std::string by) {
    if (!running_ && !stopping_ && state_.ended && state_.ended_by_failure) {
        co_return co_await reopen(std::move(by));
    }
    co_return co_await submit(std::make_shared<control_request>(
        wakeup_.get_executor(),
        operator_record(core::record_type::resumed, "The room was resumed by " + by)));
}

asio::awaitable<result<std::int64_t>> room_runner::end(std::string reason) {
    co_return co_await submit(std::make_shared<control_request>(
        wakeup_.get_executor(), operator_record(core::record_type::room_ended, std::move(reason))));
}

asio::awaitable<result<std::int64_t>> room_runner::choose_next(std::string speaker,
                                                               std::string by) {
    core::record r = operator_record(core::record_type::next_speaker, {});
    r.speaker = std::move(speaker);
    r.chosen_by = "operator " + by;
    if (const auto refusal = next_speaker_refusal(r)) {
        co_return result<std::int64_t>{*refusal};
    }
    co_return co_await submit(
        std::make_shared<control_request>(wakeup_.get_executor(), std::move(r)));
}

std::optional<errc> room_runner::next_speaker_refusal(const core::record& r) const {
    const int slot = core::slot_from_label(r.speaker);
    const member_state* member = state_.member(slot);
    if (member == nullptr || member->left || core::slot_label(slot) != r.speaker) {
        return errc::not_found;
    }
    if (member->muted || !can_speak_now(*member, std::chrono::system_clock::now())) {
        return errc::conflict;
    }
    return std::nullopt;
}

std::vector<core::record> room_runner::reinstatements(const std::string& why) const {
    std::vector<core::record> records;
    for (const auto& m : state_.members) {
        if (m.suspended && !m.exhausted) {
            records.push_back(
                make_record(core::record_type::member_reinstated, m.slot,
                            core::slot_label(m.slot) + " (" + m.model + ") is reinstated: " + why));
        }
    }
    return records;
}

// A room that ended because its members failed: run() has returned, so this is the only writer.
// The resume and the reinstatements are committed, then the room runs again.
asio::awaitable<result<std::int64_t>> room_runner::reopen(std::string by) {
    if (reopening_ || !services_.relaunch) {
        co_return result<std::int64_t>{errc::room_closed};
    }
    reopening_ = true;
    core::record resumed =
        make_record(core::record_type::resumed, 0,
                    "The room was resumed by " + by + " after its members failed");
    std::vector<core::record> records;
    records.push_back(std::move(resumed));
    for (auto& r : reinstatements("the room was resumed by " + by)) {
        records.push_back(std::move(r));
    }
    const step_result committed = co_await commit(std::move(records));
    reopening_ = false;
    if (!committed) {
        outcome_ = outcome_after(committed);
        co_return result<std::int64_t>{committed.error()};
    }
    services_.log->info("room {}: resumed by {} after its members failed; it runs again",
                        room_->name, by);
    outcome_ = room_outcome::running;
    failure_.clear();
    if (!stopping_) {
        running_ = true;  // already, so that the answer to the resume says so
        services_.relaunch(*this);
    }
    co_return state_.last_seq;
}

asio::awaitable<result<std::int64_t>> room_runner::submit(
    std::shared_ptr<control_request> request) {
    if (!running_ || stopping_ || state_.ended) {
        co_return result<std::int64_t>{errc::room_closed};
    }
    requests_.push_back(request);
    wakeup_.cancel();
    boost::system::error_code ignored;  // cancelled once the room has carried it out
    co_await request->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_return request->outcome;
}

// Commits what the queued requests ask for, in order. A pause or resume that changes nothing
// is not recorded again; anything after the room ended is refused.
asio::awaitable<room_runner::step_result> room_runner::serve_requests() {
    while (!requests_.empty()) {
        auto request = requests_.front();
        requests_.pop_front();
        const auto type = request->record.type;
        const bool resuming = type == core::record_type::resumed;
        std::vector<core::record> reinstated;
        if (resuming) {
            reinstated = reinstatements("the room was resumed");
        }
        const bool no_change = (type == core::record_type::paused && state_.paused) ||
                               (resuming && !state_.paused && reinstated.empty());
        const bool choosing = type == core::record_type::next_speaker;
        if (state_.ended) {
            request->outcome = errc::room_closed;
        } else if (const auto refusal =
                       choosing ? next_speaker_refusal(request->record) : std::nullopt) {
            request->outcome = *refusal;  // it left or ran dry while the request waited
        } else if (no_change) {
            request->outcome = state_.last_seq;
        } else {
            request->record.time = core::format_rfc3339(std::chrono::system_clock::now());
            if (choosing) {
                const member_state& chosen =
                    *state_.member(core::slot_from_label(request->record.speaker));
                request->record.model = chosen.model;
                request->record.text = "The " + request->record.chosen_by + " chose " +
                                       request->record.speaker + " (" + chosen.model +
                                       ") to speak next";
            }
            std::vector<core::record> records;
            records.push_back(request->record);
            for (const auto& r : request->more) {
                records.push_back(r);
                records.back().time = request->record.time;
            }
            for (auto& r : reinstated) {
                records.push_back(std::move(r));
            }
            const step_result committed = co_await commit(std::move(records));
            if (!committed) {
                request->outcome = committed.error();
                request->done.cancel();
                co_return committed;
            }
            request->outcome = state_.last_seq;
        }
        request->done.cancel();
    }
    co_return step_result{};
}

void room_runner::fail_requests() {
    for (auto& request : requests_) {
        request->outcome = errc::room_closed;
        request->done.cancel();
    }
    requests_.clear();
}

// A room the daily budget paused also wakes when the next UTC day begins, and resumes then
// (or after a reload that raised the budget) with a resumed record of its own.
asio::awaitable<room_runner::step_result> room_runner::wait_while_paused() {
    while (state_.paused && !stopping_ && requests_.empty() && !update_) {
        auto deadline = asio::steady_timer::time_point::max();
        if (state_.resume_at) {
            if (auto why = budget_renewal()) {
                std::vector<core::record> resumed;
                resumed.push_back(make_record(core::record_type::resumed, 0, std::move(*why)));
                co_return co_await commit(std::move(resumed));
            }
            deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           *state_.resume_at - std::chrono::system_clock::now());
        }
        wakeup_.expires_at(deadline);
        boost::system::error_code ignored;  // cancelled by requests, updates and stop()
        co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return step_result{};
}

// Every member that can still speak is suspended: the room waits for the first retry, carrying
// out requests meanwhile (a pause, a resume that reinstates them, a stop).
asio::awaitable<room_runner::step_result> room_runner::wait_for_retry(
    std::chrono::system_clock::time_point until) {
    const auto left = std::max(until - std::chrono::system_clock::now(),
                               std::chrono::system_clock::duration::zero());
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
    services_.log->info(
        "room {}: every member that can speak is suspended; the next retry is at {}", room_->name,
        core::format_rfc3339(until));
    while (!stopping_ && requests_.empty() && !update_ &&
           std::chrono::steady_clock::now() < deadline) {
        wakeup_.expires_at(deadline);
        boost::system::error_code ignored;  // cancelled by requests, updates and stop()
        co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return step_result{};
}

// Waits the room's turn_delay, carrying out requests that arrive meanwhile, so that a human's
// message is in the transcript before the next turn.
asio::awaitable<room_runner::step_result> room_runner::pause_between_turns() {
    const auto deadline = std::chrono::steady_clock::now() + effective_.turn_delay;
    while (!stopping_) {
        if (!requests_.empty()) {
            const step_result served = co_await serve_requests();
            if (!served) {
                co_return served;
            }
            if (state_.paused || state_.ended) {
                co_return step_result{};
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        wakeup_.expires_at(deadline);
        boost::system::error_code ignored;  // cancelled by requests and stop()
        co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (effective_.turn_delay.count() == 0) {
        // Without a delay the room still lets what is ready run first: a room the daily budget
        // woke takes its turn before this one reserves the budget again.
        co_await asio::post(wakeup_.get_executor(), asio::use_awaitable);
    }
    co_return step_result{};
}

}  // namespace polylogue::room
