// turn_order selector (docs/config.md): before each turn the room asks its selector model who
// speaks next, with a request of its own: what the selector is for, the newest records as text
// within its context, and the candidates. Its choice is committed as a next_speaker record and
// the turn follows it. An answer that names no candidate, or a call that fails, falls back to
// the natural order's choice, recorded with the reason.

#include <algorithm>
#include <chrono>

#include "polylogue/core/text.hpp"
#include "polylogue/room/renderer.hpp"
#include "polylogue/room/room_runner.hpp"
#include "polylogue/room/turn_decision.hpp"
#include "room/addressees.hpp"
#include "room/turn_cost.hpp"
#include "single_record.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

namespace {

constexpr std::size_t max_transcript_bytes = 48 * 1024;
constexpr std::size_t max_record_bytes = 2000;  // of each record's text
constexpr std::size_t max_answer_bytes = 4096;  // of the answer that is read
constexpr std::size_t answer_excerpt_bytes = 200;

std::string member_label(const member_state& m) {
    return core::slot_label(m.slot) + " (" + m.model + ")";
}

// The newest messages and notices, oldest first, within budget bytes.
std::string recent_text(const room_state& state, std::span<const core::record> history,
                        std::size_t budget) {
    std::vector<std::string> lines;
    std::size_t used = 0;
    // Newest first; an index, as clang-tidy's clang cannot read libstdc++ 12's reverse_view.
    for (std::size_t i = history.size(); i-- > 0;) {
        const core::record& r = history[i];
        std::string line;
        if (r.type == core::record_type::message) {
            const member_state* author = state.member(core::slot_from_label(r.speaker));
            line = "[" + (author ? member_label(*author) : r.speaker) + "]: ";
        } else if (r.type == core::record_type::join || r.type == core::record_type::left) {
            line = "[Polylogue] ";
        } else {
            continue;
        }
        line += core::utf8_prefix(r.text, max_record_bytes);
        if (used + line.size() + 1 > budget) {
            break;
        }
        used += line.size() + 1;
        lines.push_back(std::move(line));
    }
    std::string text;
    for (std::size_t i = lines.size(); i-- > 0;) {
        text += lines[i];
        text += '\n';
    }
    return text;
}

providers::conversation selector_conversation(const config::room& room, const room_state& state,
                                              std::span<const core::record> history,
                                              const std::vector<int>& candidates,
                                              std::size_t budget) {
    providers::conversation talk;
    talk.system =
        "You choose who speaks next in \"" + room.name +
        "\", a group chat between AI models (humans may join in). You do not take part. Read "
        "the conversation and pick the participant whose turn it should be now, so that the "
        "conversation goes somewhere worth reading. Answer with exactly one label from the "
        "candidates, such as AI-2, and nothing else.";
    std::string list;
    for (const int slot : candidates) {
        list += (list.empty() ? "" : ", ") + member_label(*state.member(slot));
    }
    std::string ask = "The conversation so far (newest last):\n\n" +
                      recent_text(state, history, budget) + "\nCandidates: " + list +
                      ".\nWho speaks next? Answer with one label.";
    talk.turns.emplace_back(providers::turn_role::user, std::move(ask));
    return talk;
}

// The first candidate the answer names, by label or display name.
int named_candidate(std::string_view answer, const room_state& state,
                    const std::vector<int>& candidates) {
    std::vector<addressable> named;
    named.reserve(candidates.size());
    for (const int slot : candidates) {
        named.push_back({slot, state.member(slot)->model});
    }
    const auto found = addressees(core::utf8_prefix(answer, max_answer_bytes), named);
    return found.empty() ? 0 : found.front();
}

std::string excerpt(std::string_view text) {
    const std::string_view cut = core::utf8_prefix(text, answer_excerpt_bytes);
    return "\"" + std::string{cut} + (cut.size() < text.size() ? "...\"" : "\"");
}

std::vector<int> candidates_at(const room_state& state, std::chrono::system_clock::time_point now) {
    std::vector<int> candidates;
    for (const auto& m : state.members) {
        if (can_speak_now(m, now)) {
            candidates.push_back(m.slot);
        }
    }
    return candidates;
}

providers::completion_request selector_request(const config::room& room, const room_state& state,
                                               std::span<const core::record> history,
                                               const config::model& model,
                                               const std::vector<int>& candidates) {
    const auto tokens =
        static_cast<std::size_t>(std::max(model.context_tokens - model.max_tokens - 512, 256));
    providers::completion_request request;
    request.room = room.name;
    request.model = &model;
    request.temperature = model.temperature_range ? std::optional{model.temperature} : std::nullopt;
    request.messages = selector_conversation(room, state, history, candidates,
                                             std::min(max_transcript_bytes, tokens * 4));
    // The scripted provider's cursor: one selector answer per next_speaker record.
    request.replies_so_far = static_cast<std::size_t>(std::count_if(
        history.begin(), history.end(),
        [](const core::record& r) { return r.type == core::record_type::next_speaker; }));
    return request;
}

// Its prompt and a reply of max_tokens at the selector's price.
double worst_case_usd(const config::model& model, const providers::completion_request& request) {
    if (!model.price) {
        return 0;
    }
    const std::size_t prompt = estimate_tokens(request.messages.system.plain()) +
                               estimate_tokens(request.messages.turns.front().text.plain());
    return config::worst_reply_cost_usd(*model.price, prompt, model.max_tokens);
}

// Why the call cannot be afforded, or nullopt with its worst case held of the daily budget.
std::optional<std::string> unaffordable(const room_state& state, const config::room& room,
                                        daily_budget* budget, double usd_bound,
                                        std::chrono::system_clock::time_point now) {
    if (room.max_cost_usd && state.cost_usd + usd_bound > *room.max_cost_usd) {
        return "the selector's call could take the room past its max_cost_usd (" + usd(usd_bound) +
               ")";
    }
    if (budget != nullptr &&
        budget->reserve(usd_bound, now).what != daily_budget::verdict::kind::granted) {
        return "the daily budget has no room now for the selector's call (" + usd(usd_bound) + ")";
    }
    return std::nullopt;
}

}  // namespace

asio::awaitable<room_runner::step_result> room_runner::ask_selector(int natural_slot) {
    core::record chosen = make_record(core::record_type::next_speaker, 0, {});
    const config::model* model = services_.cfg->find_model(room_->selector);
    const auto endpoint =
        model ? services_.providers->find(model->provider) : services_.providers->end();
    if (endpoint == services_.providers->end()) {
        co_return co_await commit_selection(
            std::move(chosen), natural_slot,
            "the selector " + room_->selector + " is not in the catalogue or has no provider");
    }
    const auto now = std::chrono::system_clock::now();
    const std::vector<int> candidates = candidates_at(state_, now);
    auto request = selector_request(*room_, state_, history_, *model, candidates);
    const double bound = worst_case_usd(*model, request);
    if (auto refusal = unaffordable(state_, effective_, services_.budget.get(), bound, now)) {
        co_return co_await commit_selection(std::move(chosen), natural_slot, std::move(*refusal));
    }
    const auto started = std::chrono::steady_clock::now();
    auto answer = co_await endpoint->second->complete(std::move(request));
    if (services_.budget) {
        services_.budget->release(bound);
    }
    if (services_.observer != nullptr) {
        services_.observer->call_ended(*this, *model, std::chrono::steady_clock::now() - started,
                                       answer ? "ok" : providers::to_string(answer.error().kind));
    }
    if (!answer) {
        co_return co_await commit_selection(
            std::move(chosen), natural_slot,
            "the selector's call failed: " + answer.error().message);
    }
    if (answer->usage) {
        note_usage(chosen, *answer->usage, model);
    }
    const std::string text = core::sanitize_utf8(answer->text);
    const int slot = named_candidate(text, state_, candidates);
    if (slot == 0) {
        co_return co_await commit_selection(
            std::move(chosen), natural_slot,
            "the selector's answer names no member that can speak now: " + excerpt(text));
    }
    chosen.speaker = core::slot_label(slot);
    chosen.model = state_.member(slot)->model;
    chosen.chosen_by = "selector";
    chosen.text = "The selector (" + model->name + ") chose " + member_label(*state_.member(slot));
    co_return co_await commit(single_record(std::move(chosen)));
}

// The natural order's choice instead of the selector's, and why.
asio::awaitable<room_runner::step_result> room_runner::commit_selection(core::record chosen,
                                                                        int natural_slot,
                                                                        std::string why_not) {
    const member_state& member = *state_.member(natural_slot);
    services_.log->warn("room {}: {}; the natural order chooses {}", room_->name, why_not,
                        core::slot_label(natural_slot));
    chosen.speaker = core::slot_label(natural_slot);
    chosen.model = member.model;
    chosen.chosen_by = "natural";
    chosen.detail = std::move(why_not);
    chosen.text = "The selector (" + room_->selector +
                  ") made no choice; the natural order chose " + member_label(member);
    co_return co_await commit(single_record(std::move(chosen)));
}

}  // namespace polylogue::room
