#include "polylogue/room/room_runner.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>

#include "image_reading.hpp"
#include "polylogue/commands/parser.hpp"
#include "polylogue/config/room_settings.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/room/command_planner.hpp"
#include "polylogue/room/renderer.hpp"
#include "polylogue/room/turn_decision.hpp"
#include "room/turn_cost.hpp"
#include "single_record.hpp"
#include "suspension.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

room_runner::room_runner(asio::any_io_executor executor, const config::room& room,
                         room_services services, std::vector<core::record> history)
    : room_{&room},
      services_{std::move(services)},
      history_{std::move(history)},
      state_{fold(history_)},
      effective_{config::effective_room(room, state_.settings)},
      wakeup_{executor} {}

room_runner::~room_runner() = default;

void room_runner::stop() {
    stopping_ = true;
    wakeup_.cancel();
}

asio::awaitable<void> room_runner::run() {
    running_ = true;
    if (services_.budget) {
        paused_under_limit_ = services_.budget->limit();
    }
    bool crashed = false;
    step_result ran;
    try {
        ran = co_await run_turns();
    } catch (const std::exception& e) {
        // A bug, not an expected failure: contain it to this room and say so in the transcript.
        services_.log->error("room {}: internal error: {}", room_->name, e.what());
        crashed = true;
    }
    if (crashed) {
        outcome_ = room_outcome::failed;
        failure_ = "internal error; see the daemon log";
        if (!state_.ended) {
            co_await finish("internal error; see the daemon log");
        }
    } else {
        outcome_ = outcome_after(ran);
    }
    release_budget();  // a turn cut short (a stop, a storage failure) holds none any more
    running_ = false;
    fail_requests();
    tell_stopped_running();
}

asio::awaitable<room_runner::step_result> room_runner::run_turns() {
    if (state_.ended) {
        co_return step_result{};
    }
    const step_result started = co_await start_if_new();
    if (!started) {
        co_return started;
    }
    while (!stopping_ && !state_.ended) {
        const step_result served = co_await serve_requests();
        if (!served) {
            co_return served;
        }
        apply_update();
        if (state_.ended || stopping_) {
            break;
        }
        const step_result went_on =
            state_.paused ? co_await wait_while_paused() : co_await guarded_turn();
        if (!went_on) {
            co_return went_on;
        }
    }
    co_return step_result{};
}

// run_turns() returns once the room ended or stop() was called, or with the commit failure that
// cut it short.
room_outcome room_runner::outcome_after(const step_result& ran) {
    if (ran) {
        return state_.ended ? room_outcome::ended : room_outcome::stopped;
    }
    if (ran.error() == errc::cancelled) {
        return room_outcome::stopped;
    }
    if (ran.error() == errc::fenced) {
        // Not a failure of the room: it goes on at the node that holds its lease now.
        return room_outcome::stopped;
    }
    failure_ = ran.error().message();
    return room_outcome::failed;
}

asio::awaitable<room_runner::step_result> room_runner::take_next_turn() {
    if (effective_.turn_order == config::turn_order::parallel) {
        co_return co_await take_parallel_round();
    }
    const turn_decision next =
        next_turn(state_, effective_, history_, std::chrono::system_clock::now());
    const bool chose =
        next.what == turn_decision::kind::speak || next.what == turn_decision::kind::skip;
    if (chose && effective_.turn_order == config::turn_order::selector &&
        next.slot != state_.requested_next) {
        // The selector's choice is committed as a next_speaker record: the turn follows it.
        co_return co_await ask_selector(next.slot);
    }
    switch (next.what) {
        case turn_decision::kind::end:
            co_return co_await finish(next.reason, next.failure);
        case turn_decision::kind::wait:
            co_return co_await wait_for_retry(next.until);
        case turn_decision::kind::skip:
            co_return co_await commit(single_record(
                make_record(core::record_type::skip, next.slot,
                            core::slot_label(next.slot) + " sits out this turn (muted itself)")));
        case turn_decision::kind::speak:
            break;
    }
    co_return co_await take_turn(next.slot);
}

asio::awaitable<room_runner::step_result> room_runner::start_if_new() {
    if (!history_.empty()) {
        co_return step_result{};
    }
    std::vector<core::record> opening;
    for (const auto& name : room_->members) {
        const config::model* model = services_.cfg->find_model(name);
        core::record join = make_record(core::record_type::join, 0, {});
        join.speaker = core::slot_label(static_cast<int>(opening.size()) + 1);
        join.model = model->name;
        join.invited_by = "config";
        if (model->temperature_range) {
            join.value = model->temperature;
        }
        opening.push_back(std::move(join));
    }
    if (room_->opening) {
        core::record message = make_record(core::record_type::message, 0, room_->opening->text);
        message.speaker = room_->opening->speaker;
        opening.push_back(std::move(message));
    }
    co_return co_await commit(std::move(opening));
}

asio::awaitable<room_runner::step_result> room_runner::take_turn(int slot) {
    const member_state& member = *state_.member(slot);
    const config::model* model = services_.cfg->find_model(member.model);
    if (model == nullptr) {
        co_return co_await commit(
            single_record(make_record(core::record_type::member_exhausted, slot,
                                      core::slot_label(slot) + " (" + member.model +
                                          ") is no longer in the catalogue and speaks no more")));
    }
    auto request = make_request(slot, *model);
    const auto bound = worst_case_cost(*services_.cfg, *room_, *model, prompt_tokens_);
    if (const auto instead = co_await refuse_unaffordable(slot, bound)) {
        trim_notice_.reset();  // no request goes out: the next render decides again
        co_return *instead;
    }
    // Off the loop: a vision member's request may show up to 12 MiB of image files.
    const auto unread = co_await read_shown_images_off_loop(services_.committer, &request.messages,
                                                            services_.cfg->data_dir);
    for (const std::string& path : unread) {
        services_.log->warn("room {}: the image {} could not be read for {}; its notice goes alone",
                            room_->name, path, core::slot_label(slot));
    }
    // Before the call, so that the notice precedes the streamed reply in seq and on screen.
    const step_result noticed = co_await commit_trim_notice();
    if (!noticed) {
        co_return noticed;
    }
    auto outcome = co_await call_provider(model, std::move(request));
    if (!outcome) {
        co_return co_await record_failure(slot, outcome.error());
    }
    co_return co_await record_reply(slot, model, std::move(*outcome));
}

asio::awaitable<providers::completion_outcome> room_runner::call_provider(
    const config::model* model, providers::completion_request request) {
    const auto endpoint = services_.providers->find(model->provider);
    const auto started = std::chrono::steady_clock::now();
    auto outcome = co_await endpoint->second->complete(std::move(request));
    if (services_.observer != nullptr) {
        services_.observer->call_ended(
            *this, *model, std::chrono::steady_clock::now() - started,
            outcome ? std::string_view{"ok"} : providers::to_string(outcome.error().kind));
    }
    co_return outcome;
}

asio::awaitable<room_runner::step_result> room_runner::record_reply(int slot,
                                                                    const config::model* model,
                                                                    providers::completion reply) {
    const step_result committed = co_await commit_reply(slot, model, std::move(reply));
    release_budget();
    if (!committed) {
        co_return committed;
    }
    co_return co_await pause_between_turns();
}

// The reply, its commands' outcomes and the tools' results, committed as one batch.
asio::awaitable<room_runner::step_result> room_runner::commit_reply(int slot,
                                                                    const config::model* model,
                                                                    providers::completion reply) {
    const member_state& member = *state_.member(slot);
    const bool retried = member.suspended;
    const int retry = member.failed_retries + 1;
    command_plan turn = message_and_outcomes(slot, std::move(reply));
    std::vector<core::record> records = std::move(turn.records);
    co_await run_tools(&records, std::move(turn.tool_jobs));
    if (retried) {
        records.push_back(make_record(core::record_type::member_reinstated, slot,
                                      core::slot_label(slot) + " (" + model->name +
                                          ") answered retry " + std::to_string(retry) +
                                          " and speaks again"));
    }
    number(records, state_.last_seq);
    co_await save_images(&records);
    co_return co_await commit(std::move(records));
}

asio::awaitable<room_runner::step_result> room_runner::record_failure(
    int slot, providers::api_failure failure) {
    const bool exhausted = failure.kind == providers::failure_kind::exhausted;
    const step_result committed = co_await commit_failure(slot, std::move(failure));
    release_budget();
    if (!committed || exhausted) {
        co_return committed;
    }
    co_return co_await pause_between_turns();
}

// A member out of replies for good, or a failed turn (and the suspension it may bring).
asio::awaitable<room_runner::step_result> room_runner::commit_failure(
    int slot, providers::api_failure failure) {
    const member_state& member = *state_.member(slot);
    if (failure.kind == providers::failure_kind::exhausted) {
        co_return co_await commit(
            single_record(make_record(core::record_type::member_exhausted, slot,
                                      core::slot_label(slot) + " (" + member.model + ") " +
                                          failure.message + " and speaks no more")));
    }
    std::vector<core::record> records;
    core::record failed = make_record(core::record_type::turn_failed, slot, {});
    failed.detail = failure.message;
    failed.error_type = failure.type;
    failed.failure = std::string{providers::to_string(failure.kind)};
    failed.http_status = failure.http_status;
    failed.attempts = failure.attempts;
    records.push_back(std::move(failed));
    if (auto step = after_failed_turn(member, *room_, std::chrono::system_clock::now())) {
        core::record suspended =
            make_record(core::record_type::member_suspended, slot, std::move(step->text));
        suspended.retry = step->retry;
        suspended.retry_at = std::move(step->retry_at);
        records.push_back(std::move(suspended));
    }
    co_return co_await commit(std::move(records));
}

asio::awaitable<room_runner::step_result> room_runner::commit_trim_notice() {
    if (!trim_notice_) {
        co_return step_result{};
    }
    core::record notice = std::move(*trim_notice_);
    trim_notice_.reset();
    co_return co_await commit(single_record(std::move(notice)));
}

asio::awaitable<room_runner::step_result> room_runner::finish(std::string reason,
                                                              std::string failure) {
    core::record ended = make_record(core::record_type::room_ended, 0, std::move(reason));
    ended.failure = std::move(failure);
    co_return co_await commit(single_record(std::move(ended)));
}

core::record room_runner::make_record(core::record_type type, int slot, std::string text) const {
    core::record r;
    r.type = type;
    r.time = core::format_rfc3339(std::chrono::system_clock::now());
    r.text = std::move(text);
    if (const member_state* member = state_.member(slot)) {
        r.speaker = core::slot_label(slot);
        r.model = member->model;
    }
    return r;
}

void room_runner::number(std::vector<core::record>& records, std::int64_t after) {
    for (auto& r : records) {
        r.seq = ++after;
    }
}

asio::awaitable<room_runner::step_result> room_runner::commit(std::vector<core::record> records) {
    number(records, state_.last_seq);
    transcript::room_batch batch{room_->name, records};
    auto durable = co_await services_.committer->commit(std::move(batch));
    if (!durable) {
        services_.log->error("room {}: could not commit records {}..{}: {}", room_->name,
                             records.front().seq, records.back().seq, durable.error().message());
        co_return durable.error();
    }
    bool settings_changed = false;
    for (const auto& r : records) {
        apply(state_, r);
        history_.push_back(r);
        settings_changed = settings_changed || r.type == core::record_type::settings_changed;
    }
    if (settings_changed) {
        refresh_settings();
    }
    if (services_.budget) {
        services_.budget->count(records);
    }
    tell_committed(records);
    co_return step_result{};
}

// Observers are downstream of commits: a failing one must never stop the room.
void room_runner::tell_committed(std::span<const core::record> records) {
    if (services_.observer == nullptr) {
        return;
    }
    try {
        services_.observer->committed(*this, records);
    } catch (const std::exception& e) {
        services_.log->warn("room {}: a watcher failed: {}", room_->name, e.what());
    }
}

void room_runner::tell_stopped_running() {
    if (services_.observer == nullptr) {
        return;
    }
    try {
        services_.observer->stopped_running(*this);
    } catch (const std::exception& e) {
        services_.log->warn("room {}: a watcher failed: {}", room_->name, e.what());
    }
}

}  // namespace polylogue::room
