// What a turn sends and what its reply becomes: the request rendered for a member (and the
// context_trimmed notice it may need), and the message with its commands' outcomes. Pure
// decisions on the room's state; the I/O around them is in room_runner.cpp.

#include <cstdio>

#include "polylogue/commands/parser.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/room/command_planner.hpp"
#include "polylogue/room/renderer.hpp"
#include "polylogue/room/room_runner.hpp"
#include "room/seeded_draw.hpp"
#include "room/turn_cost.hpp"

namespace polylogue::room {

// A scripted model is sent nothing, so it is shown no image: its files are never read for it.
image_rules room_runner::image_rules_for(const config::model& model) const {
    const config::provider* endpoint = services_.cfg->find_provider(model.provider);
    const auto api = endpoint ? endpoint->kind : config::provider_kind::scripted;
    return {model.vision && api != config::provider_kind::scripted, api};
}

// One key per room and member: its requests share their prefix with each other, not with the
// others' (each member sees its own turns as its own). Hashed, so that a room's name is not
// sent to the provider, and short whatever the name.
providers::cache_hints room_runner::cache_hints_for(const config::model& model, int slot) const {
    if (model.cache == config::cache_mode::off) {
        return {};
    }
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx",
                  static_cast<unsigned long long>(fnv1a_64(room_->name)));
    return {true, "polylogue-" + std::string{hash} + "-" + core::slot_label(slot)};
}

providers::completion_request room_runner::make_request(int slot, const config::model& model) {
    const member_state& member = *state_.member(slot);
    trim_notice_.reset();
    providers::completion_request request;
    request.room = room_->name;
    request.model = &model;
    request.temperature = model.temperature_range ? member.temperature : std::nullopt;
    const std::size_t budget = static_cast<std::size_t>(model.context_tokens - model.max_tokens);
    auto view = render_within(*room_, state_, history_, slot, budget, render_cache_,
                              image_rules_for(model));
    request.messages = std::move(view.conversation);
    request.cache = cache_hints_for(model, slot);
    prompt_tokens_ = view.estimated_tokens;
    if (view.trimmed_from_seq > 0) {
        trim_notice_ = make_record(
            core::record_type::context_trimmed, slot,
            core::slot_label(slot) + " (" + member.model + ") now sees the room from seq " +
                std::to_string(view.trimmed_from_seq) + " on: " + std::to_string(view.dropped) +
                (view.dropped == 1 ? " earlier record is" : " earlier records are") +
                " left out to fit its context of " + std::to_string(model.context_tokens) +
                " tokens; it keeps its instructions and the opening. Its window was cut back to "
                "half its budget so that its next turns only add to it");
        trim_notice_->from_seq = view.trimmed_from_seq;
    }
    request.replies_so_far = member.replies;
    if (services_.observer != nullptr) {
        // Not coroutines: plain callbacks the provider calls while this turn is in progress.
        request.on_text = [this, slot, name = model.name](std::string_view chunk) {
            services_.observer->live(*this, live_text{slot, name, chunk, false});
        };
        request.on_restart = [this, slot, name = model.name] {
            services_.observer->live(*this, live_text{slot, name, {}, true});
        };
    }
    return request;
}

command_plan room_runner::message_and_outcomes(int slot, providers::completion reply) const {
    std::vector<core::record> records;
    std::string text = core::sanitize_utf8(reply.text);
    const auto parsed = commands::parse(text);
    core::record message = make_record(core::record_type::message, slot, std::move(text));
    message.reasoning = core::sanitize_utf8(reply.reasoning);
    if (reply.usage) {
        note_usage(message, *reply.usage, services_.cfg->find_model(message.model));
    }
    records.push_back(std::move(message));
    room_state after_message = state_;
    apply(after_message, records.front());
    const planning_rules rules{services_.cfg->models, room_->max_ais,
                               !room_->image_tool.empty() && services_.tools != nullptr,
                               !room_->search_tool.empty() && services_.tools != nullptr};
    command_plan planned = plan_commands(after_message, slot, parsed, rules);
    for (auto& r : planned.records) {
        r.time = records.front().time;
        records.push_back(std::move(r));
    }
    for (tool_job& job : planned.tool_jobs) {
        ++job.command;  // past the message
    }
    return {std::move(records), std::move(planned.tool_jobs)};
}

}  // namespace polylogue::room
