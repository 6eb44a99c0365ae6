#include <algorithm>

#include "support/reference_request.hpp"

#include <nlohmann/json.hpp>

#include "polylogue/room/renderer.hpp"
#include "polylogue/transcript/format.hpp"

namespace polylogue::test {
namespace {

using json = nlohmann::json;
using providers::turn_role;

constexpr std::string_view leading_user_text = "[Polylogue] The conversation so far:";
constexpr std::string_view speak_first_text = "[Polylogue] You speak first.";
constexpr std::string_view your_turn_text = "[Polylogue] It is your turn to speak.";

std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Anthropic's and Gemini's alternation, the DOM way: make(role, text) builds one message,
// text_of(message) reaches its text.
template <typename make_fn, typename text_fn>
json alternating(const plain_conversation& history, const char* assistant_role, make_fn make,
                 text_fn text_of) {
    json messages = json::array();
    for (const plain_turn& turn : history.turns) {
        if (is_blank(turn.text)) {
            continue;
        }
        const char* role = turn.role == turn_role::user ? "user" : assistant_role;
        if (messages.empty() && turn.role == turn_role::assistant) {
            messages.push_back(make("user", leading_user_text));
        }
        if (!messages.empty() && messages.back()["role"] == role) {
            text_of(messages.back()).template get_ref<std::string&>() += "\n\n" + turn.text;
        } else {
            messages.push_back(make(role, turn.text));
        }
    }
    if (messages.empty()) {
        messages.push_back(make("user", speak_first_text));
    } else if (messages.back()["role"] != "user") {
        messages.push_back(make("user", your_turn_text));
    }
    return messages;
}

std::string openai_body(const plain_request& request,
                        const providers::endpoint_settings& endpoint) {
    json list = json::array();
    if (!request.messages.system.empty()) {
        list.push_back({{"role", "system"}, {"content", request.messages.system}});
    }
    for (const auto& turn : request.messages.turns) {
        const char* role = turn.role == turn_role::assistant ? "assistant" : "user";
        list.push_back({{"role", role}, {"content", turn.text}});
    }
    const auto& turns = request.messages.turns;
    if (turns.empty()) {
        list.push_back({{"role", "user"}, {"content", speak_first_text}});
    } else if (turns.back().role == turn_role::assistant) {
        list.push_back({{"role", "user"}, {"content", your_turn_text}});
    }
    json body{{"model", request.model_id}, {"messages", list}};
    body["stream"] = request.stream;
    if (request.stream) {
        body["stream_options"] = {{"include_usage", true}};
    }
    if (request.temperature) {
        body["temperature"] = *request.temperature;
    }
    const std::string& limit_field =
        endpoint.max_tokens_field.empty() ? std::string{"max_tokens"} : endpoint.max_tokens_field;
    body[limit_field] = request.max_tokens;
    return dump(body);
}

std::string anthropic_body(const plain_request& request) {
    json body = {{"model", request.model_id}, {"max_tokens", request.max_tokens}};
    if (!request.messages.system.empty()) {
        body["system"] = request.messages.system;
    }
    body["messages"] = alternating(
        request.messages, "assistant",
        [](const char* role, std::string_view text) -> json {
            return {{"role", role}, {"content", text}};
        },
        [](json& message) -> json& { return message["content"]; });
    if (request.temperature) {
        body["temperature"] = *request.temperature;
    }
    if (request.stream) {
        body["stream"] = true;
    }
    return dump(body);
}

std::string gemini_body(const plain_request& request) {
    json body = {
        {"contents", alternating(
                         request.messages, "model",
                         [](const char* role, std::string_view text) -> json {
                             return {{"role", role}, {"parts", json::array({{{"text", text}}})}};
                         },
                         [](json& content) -> json& { return content["parts"][0]["text"]; })}};
    if (!request.messages.system.empty()) {
        body["systemInstruction"] = {{"parts", json::array({{{"text", request.messages.system}}})}};
    }
    json generation = json::object();
    if (request.temperature) {
        generation["temperature"] = *request.temperature;
    }
    generation["maxOutputTokens"] = request.max_tokens;
    body["generationConfig"] = std::move(generation);
    return dump(body);
}

plain_turn turn_for(const core::record& r, const std::string& self) {
    if (r.type != core::record_type::message) {
        return {turn_role::user, "[Polylogue] " + transcript::describe(r)};
    }
    if (r.speaker == self) {
        return {turn_role::assistant, r.text};
    }
    const std::string header = r.model.empty() ? r.speaker : r.speaker + " (" + r.model + ")";
    return {turn_role::user, "[" + header + "]: " + r.text};
}

bool hidden_from_models(const core::record& r) {
    return r.type == core::record_type::paused || r.type == core::record_type::resumed ||
           r.type == core::record_type::context_trimmed;
}

std::optional<std::size_t> opening_index(std::span<const core::record> records) {
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].type == core::record_type::message) {
            if (core::slot_from_label(records[i].speaker) > 0) {
                return std::nullopt;
            }
            return i;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string reference_body(api_kind kind, const plain_request& request,
                           const providers::endpoint_settings& endpoint) {
    switch (kind) {
        case api_kind::openai:
            return openai_body(request, endpoint);
        case api_kind::anthropic:
            return anthropic_body(request);
        case api_kind::gemini:
            return gemini_body(request);
    }
    return {};
}

providers::api_request to_api_request(const plain_request& request) {
    providers::api_request api;
    api.model_id = request.model_id;
    api.messages.system = request.messages.system;
    for (const plain_turn& turn : request.messages.turns) {
        api.messages.turns.emplace_back(turn.role, turn.text);
    }
    api.temperature = request.temperature;
    api.max_tokens = request.max_tokens;
    api.stream = request.stream;
    return api;
}

namespace {

struct plain_window {
    std::vector<plain_turn> newest_first;
    std::size_t first_kept = 0;
    std::size_t used_tokens = 0;
    bool opening_reached = false;
    bool overflowed = false;
};

// Back from the newest record to records[start], while the budget lasts.
plain_window walk_back_to(std::span<const core::record> records, std::size_t start,
                          std::optional<std::size_t> opening, const std::string& self,
                          std::size_t used_tokens, std::size_t budget_tokens) {
    plain_window w;
    w.first_kept = records.size();
    w.used_tokens = used_tokens;
    for (std::size_t i = records.size(); i > start; --i) {
        const core::record& r = records[i - 1];
        if (hidden_from_models(r)) {
            w.first_kept = i - 1;
            continue;
        }
        auto turn = turn_for(r, self);
        if (opening && i - 1 == *opening) {
            w.newest_first.push_back(std::move(turn));
            w.opening_reached = true;
            w.first_kept = i - 1;
            continue;
        }
        const std::size_t cost = room::estimate_tokens(turn.text);
        if (w.used_tokens + cost > budget_tokens) {
            w.overflowed = true;
            break;
        }
        w.used_tokens += cost;
        w.newest_first.push_back(std::move(turn));
        w.first_kept = i - 1;
    }
    return w;
}

}  // namespace

plain_view reference_render(const config::room& room, const room::room_state& state,
                            std::span<const core::record> records, int slot,
                            std::size_t budget_tokens) {
    plain_view view;
    view.conversation.system = room::render_system_prompt(room, state, slot);
    std::size_t prompt_tokens = room::estimate_tokens(view.conversation.system);
    const std::string self = core::slot_label(slot);
    const auto opening = opening_index(records);
    if (opening) {
        prompt_tokens += room::estimate_tokens(turn_for(records[*opening], self).text);
    }
    // The member's window starts at its last trim; when it overflows, it is trimmed to the
    // newest records that fit in half of what the budget leaves beside the prompt.
    std::size_t start = 0;
    const std::int64_t from_seq = state.member(slot) ? state.member(slot)->window_from_seq : 0;
    while (start < records.size() && records[start].seq < from_seq) {
        ++start;
    }
    plain_window w = walk_back_to(records, start, opening, self, prompt_tokens, budget_tokens);
    if (w.overflowed) {
        const std::size_t half =
            prompt_tokens + (budget_tokens - std::min(budget_tokens, prompt_tokens)) / 2;
        plain_window trimmed = walk_back_to(records, start, opening, self, prompt_tokens, half);
        if (trimmed.newest_first.size() > (trimmed.opening_reached ? 1U : 0U)) {
            w = std::move(trimmed);
        }
        view.trimmed_from_seq =
            w.first_kept < records.size() ? records[w.first_kept].seq : records.back().seq + 1;
    }
    view.estimated_tokens = w.used_tokens;
    const bool opening_apart = opening && !w.opening_reached;
    view.dropped = w.first_kept - (opening_apart ? 1 : 0);
    if (opening_apart) {
        view.conversation.turns.push_back(turn_for(records[*opening], self));
    }
    for (std::size_t i = w.newest_first.size(); i > 0; --i) {
        view.conversation.turns.push_back(std::move(w.newest_first[i - 1]));
    }
    return view;
}

}  // namespace polylogue::test
