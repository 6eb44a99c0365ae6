#pragma once
// One room: a long-lived coroutine that owns the room's state and drives its turns. Each turn is
// pure decisions (next_turn, render, parse, plan) around two I/O steps: the provider call and
// the group commit. Records are durable before the next turn starts; watchers see them after.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"
#include "polylogue/providers/provider.hpp"
#include "polylogue/providers/tool_runner.hpp"
#include "polylogue/room/command_planner.hpp"
#include "polylogue/room/daily_budget.hpp"
#include "polylogue/room/render_cache.hpp"
#include "polylogue/room/renderer.hpp"
#include "polylogue/room/room_handle.hpp"
#include "polylogue/room/room_observer.hpp"
#include "polylogue/room/room_state.hpp"
#include "polylogue/transcript/group_committer.hpp"

namespace polylogue::room {

using provider_map = std::map<std::string, std::unique_ptr<providers::provider>, std::less<>>;

class room_runner;
struct turn_cost_bound;

// What a room uses. The config and what is built from it are shared, so that a reload can hand
// a room a new generation while the old one lives on until no room uses it.
struct room_services {
    std::shared_ptr<const config::config> cfg;
    transcript::group_committer* committer = nullptr;
    std::shared_ptr<const provider_map> providers;  // by provider name
    std::shared_ptr<providers::tool_runner> tools;  // may be null when no room names a tool
    // The daemon's budget_usd_per_day, shared by every room; may be null: no daily budget.
    std::shared_ptr<daily_budget> budget;
    std::shared_ptr<spdlog::logger> log;
    // Told of commits, live text, provider calls and the end of run(); may be null. It outlives
    // the room.
    room_observer* observer = nullptr;
    // Runs run() again for a room that ended because its members failed and that an operator
    // resumed; without it such a room cannot be reopened.
    std::function<void(room_runner&)> relaunch;
};

class room_runner final : public room_handle {
  public:
    // room must be one of services.cfg->rooms (or outlive the runner with it).
    room_runner(boost::asio::any_io_executor executor, const config::room& room,
                room_services services, std::vector<core::record> history);
    ~room_runner() override;

    // Runs until the room ends, stop() is called, or storage fails. Never throws.
    boost::asio::awaitable<void> run();

    // Finishes the turn in progress (its records are committed), then run() returns.
    void stop();

    // A new config for this room (after a reload): it applies from the next turn.
    void update(room_services services, const config::room& room);

    // A fleet (room_follow.cpp). While another node runs the room, this runner follows it:
    // follow() takes the records that node committed, as read from the shared store, so that
    // the room is listed, streamed and exported here too. Records must continue the last seq;
    // false when they do not (some were missed: read them again from the last seq). Only while
    // the room does not run here.
    bool follow(std::span<const core::record> records);
    // Before run() again on this node, once run() has returned: the room runs again (after a
    // lease was won back), as if never stopped.
    void take_over();

    // The operator's requests (room_handle.hpp); the room carries them out between turns.
    boost::asio::awaitable<result<std::int64_t>> interject(std::string speaker,
                                                           std::string text) override;
    boost::asio::awaitable<result<std::int64_t>> pause(std::string by) override;
    boost::asio::awaitable<result<std::int64_t>> resume(std::string by) override;
    boost::asio::awaitable<result<std::int64_t>> end(std::string reason) override;
    boost::asio::awaitable<result<std::int64_t>> choose_next(std::string speaker,
                                                             std::string by) override;
    boost::asio::awaitable<result<std::int64_t>> change_settings(std::string settings,
                                                                 std::string by) override;
    boost::asio::awaitable<result<std::int64_t>> remove_member(int slot, std::string by) override;
    boost::asio::awaitable<result<std::int64_t>> archive(std::string by) override;

    const config::room& room() const noexcept override { return *room_; }
    const config::room& effective() const noexcept override { return effective_; }
    const room_state& state() const noexcept override { return state_; }
    room_outcome outcome() const noexcept override { return outcome_; }
    const std::string& failure() const noexcept override { return failure_; }
    bool running() const noexcept override { return running_; }
    std::span<const core::record> history() const noexcept override { return history_; }

  private:
    struct control_request;
    // Each step of the room goes on, or returns why its records could not be committed, and the
    // room stops there: errc::cancelled at shutdown (stopped), anything else from storage (failed).
    using step_result = result<void>;

    boost::asio::awaitable<step_result> run_turns();
    room_outcome outcome_after(const step_result& ran);
    boost::asio::awaitable<step_result> take_next_turn();
    // turn_order selector (room_selector.cpp): asks the selector model who speaks next and
    // commits its choice, or natural_slot with the reason it fell back.
    boost::asio::awaitable<step_result> ask_selector(int natural_slot);
    boost::asio::awaitable<step_result> commit_selection(core::record chosen, int natural_slot,
                                                         std::string why_not);
    boost::asio::awaitable<step_result> commit(std::vector<core::record> records);
    boost::asio::awaitable<step_result> start_if_new();
    boost::asio::awaitable<step_result> take_turn(int slot);
    boost::asio::awaitable<providers::completion_outcome> call_provider(
        const config::model* model, providers::completion_request request);
    boost::asio::awaitable<step_result> record_failure(int slot, providers::api_failure failure);
    boost::asio::awaitable<step_result> record_reply(int slot, const config::model* model,
                                                     providers::completion reply);
    // A turn's records, committed, without releasing its budget or waiting turn_delay.
    boost::asio::awaitable<step_result> commit_failure(int slot, providers::api_failure failure);
    boost::asio::awaitable<step_result> commit_reply(int slot, const config::model* model,
                                                     providers::completion reply);
    // turn_order parallel (room_parallel.cpp).
    struct round_call;
    struct round_calls;
    boost::asio::awaitable<step_result> take_parallel_round();
    boost::asio::awaitable<step_result> commit_round_skips(std::vector<int> slots);
    boost::asio::awaitable<step_result> speak_together(std::vector<int> slots);
    boost::asio::awaitable<std::optional<step_result>> prepare_round(
        std::vector<round_call>* calls);
    boost::asio::awaitable<void> call_into(std::shared_ptr<round_calls> calls, std::size_t index,
                                           const config::model* model,
                                           providers::completion_request request);
    boost::asio::awaitable<step_result> commit_round(std::vector<round_call> calls,
                                                     std::shared_ptr<round_calls> answers);
    boost::asio::awaitable<void> run_tools(std::vector<core::record>* records,
                                           std::vector<tool_job> jobs);
    boost::asio::awaitable<void> run_tool(std::vector<core::record>* records, tool_job job);
    boost::asio::awaitable<void> save_images(std::vector<core::record>* records);
    result<std::string> save_image(std::int64_t seq, const providers::generated_image& image) const;
    boost::asio::awaitable<std::optional<step_result>> refuse_unaffordable(
        int slot, const turn_cost_bound& bound);
    // speaker: who would spend bound, e.g. "AI-2 (Claude Opus 4.5)".
    boost::asio::awaitable<std::optional<step_result>> refuse_unaffordable_for(
        std::string speaker, turn_cost_bound bound);
    boost::asio::awaitable<step_result> pause_for_budget(
        std::string text, std::chrono::system_clock::time_point until);
    boost::asio::awaitable<step_result> wait_for_budget();
    std::optional<std::string> budget_renewal() const;
    void release_budget();
    void release_budget_share(double usd);  // one member's part of a parallel round's hold
    boost::asio::awaitable<step_result> commit_trim_notice();
    boost::asio::awaitable<step_result> finish(std::string reason, std::string failure = {});
    boost::asio::awaitable<step_result> wait_for_retry(std::chrono::system_clock::time_point until);
    boost::asio::awaitable<result<std::int64_t>> reopen(std::string by);
    std::vector<core::record> reinstatements(const std::string& why) const;
    boost::asio::awaitable<step_result> pause_between_turns();
    boost::asio::awaitable<step_result> wait_while_paused();
    boost::asio::awaitable<step_result> serve_requests();
    boost::asio::awaitable<result<std::int64_t>> submit(std::shared_ptr<control_request> request);
    void fail_requests();
    // Why an operator's next_speaker record cannot be committed now; nullopt: it can.
    std::optional<errc> next_speaker_refusal(const core::record& r) const;
    void apply_update();
    // effective_ again, from room_ and the state's settings; on a reload, the file's changes to
    // keys an operator set are logged, since they do not apply.
    void refresh_settings(const config::room* replaced = nullptr);
    // The loop guard and max_ai_streak, after the AI messages committed since their last look;
    // then the next turn, unless they paused or ended the room.
    boost::asio::awaitable<step_result> guarded_turn();
    boost::asio::awaitable<step_result> apply_guards();
    boost::asio::awaitable<result<std::int64_t>> archive_stopped(std::string by);
    // The message first, then its commands' outcomes; the tool jobs index these records.
    command_plan message_and_outcomes(int slot, providers::completion reply) const;
    providers::completion_request make_request(int slot, const config::model& model);
    image_rules image_rules_for(const config::model& model) const;
    providers::cache_hints cache_hints_for(const config::model& model, int slot) const;
    core::record make_record(core::record_type type, int slot, std::string text) const;
    static void number(std::vector<core::record>& records, std::int64_t after);
    void tell_committed(std::span<const core::record> records);
    void tell_stopped_running();

    const config::room* room_;
    room_services services_;
    std::optional<std::pair<room_services, const config::room*>> update_;
    std::vector<core::record> history_;
    room_state state_;
    config::room effective_;  // *room_ with state_.settings laid over it: what the room runs by
    std::int64_t guards_seen_seq_ = -1;  // the last seq the guards looked at
    render_cache render_cache_;  // the history's records as the models see them, escaped once
    boost::asio::steady_timer wakeup_;  // turn delays and pauses; cancelled by requests and stop
    std::deque<std::shared_ptr<control_request>> requests_;
    std::optional<core::record> trim_notice_;  // to commit before the call whose view was trimmed
    std::size_t prompt_tokens_ = 0;            // the estimate of the last request made
    // Images the turn's tools made, in the order of their records: saved once the records are
    // numbered, so that a file is named after its record's real seq.
    std::vector<providers::generated_image> pending_images_;
    // What this room's turn in flight holds of the daily budget (a parallel round: every
    // member's worst case, each released as its records are committed).
    std::optional<double> held_usd_;
    // The daily budget's limit when this room was paused by it: a reload that raises it
    // resumes the room. Read at run() for a room that was paused before a restart.
    std::optional<double> paused_under_limit_;
    bool stopping_ = false;
    bool running_ = false;
    bool reopening_ = false;  // reopen() is committing: a second resume waits for nothing
    bool archiving_ = false;  // archive_stopped() is committing
    room_outcome outcome_ = room_outcome::running;  // set when run() returns, and by a reopen
    std::string failure_;
};

}  // namespace polylogue::room
