#pragma once
// What real providers send, for fake servers to serve: streamed replies in each API's format.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace polylogue::test {

// OpenAI Chat Completions SSE: one delta per word, usage in a last chunk with no choices.
inline std::vector<std::string> openai_stream(const std::string& text, int input = 12,
                                              int output = 7) {
    std::vector<std::string> events;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto next = std::min(text.size(), text.find(' ', start + 1));
        nlohmann::json chunk{
            {"id", "c1"},
            {"object", "chat.completion.chunk"},
            {"choices",
             {{{"index", 0}, {"delta", {{"content", text.substr(start, next - start)}}}}}}};
        events.push_back("data: " + chunk.dump() + "\n\n");
        start = next;
    }
    nlohmann::json stop{
        {"choices",
         {{{"index", 0}, {"delta", nlohmann::json::object()}, {"finish_reason", "stop"}}}}};
    events.push_back("data: " + stop.dump() + "\n\n");
    nlohmann::json usage{{"choices", nlohmann::json::array()},
                         {"usage", {{"prompt_tokens", input}, {"completion_tokens", output}}}};
    events.push_back(": OPENROUTER PROCESSING\n\ndata: " + usage.dump() + "\n\ndata: [DONE]\n\n");
    return events;
}

inline std::string anthropic_event(const std::string& name, const nlohmann::json& data) {
    return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

// Anthropic Messages SSE, with a ping and a thinking block before the text.
inline std::vector<std::string> anthropic_stream(const std::string& text) {
    return {
        anthropic_event("message_start",
                        {{"type", "message_start"},
                         {"message",
                          {{"id", "m1"},
                           {"role", "assistant"},
                           {"usage", {{"input_tokens", 20}, {"output_tokens", 1}}}}}}),
        anthropic_event("ping", {{"type", "ping"}}),
        anthropic_event("content_block_start",
                        {{"type", "content_block_start"},
                         {"index", 0},
                         {"content_block", {{"type", "thinking"}, {"thinking", ""}}}}),
        anthropic_event("content_block_delta",
                        {{"type", "content_block_delta"},
                         {"index", 0},
                         {"delta", {{"type", "thinking_delta"}, {"thinking", "let me think"}}}}),
        anthropic_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}),
        anthropic_event("content_block_start",
                        {{"type", "content_block_start"},
                         {"index", 1},
                         {"content_block", {{"type", "text"}, {"text", ""}}}}),
        anthropic_event("content_block_delta",
                        {{"type", "content_block_delta"},
                         {"index", 1},
                         {"delta", {{"type", "text_delta"}, {"text", text}}}}),
        anthropic_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 1}}),
        anthropic_event("message_delta", {{"type", "message_delta"},
                                          {"delta", {{"stop_reason", "end_turn"}}},
                                          {"usage", {{"output_tokens", 9}}}}),
        anthropic_event("message_stop", {{"type", "message_stop"}}),
    };
}

// Gemini streamGenerateContent?alt=sse: full response chunks, no end marker.
inline std::vector<std::string> gemini_stream(const std::string& text) {
    nlohmann::json first{
        {"candidates", {{{"content", {{"role", "model"}, {"parts", {{{"text", text}}}}}}}}}};
    nlohmann::json last{
        {"candidates",
         {{{"content", {{"role", "model"}, {"parts", {{{"text", ""}}}}}},
           {"finishReason", "STOP"}}}},
        {"usageMetadata", {{"promptTokenCount", 30}, {"candidatesTokenCount", 11}}}};
    return {"data: " + first.dump() + "\r\n\r\n", "data: " + last.dump() + "\r\n\r\n"};
}

}  // namespace polylogue::test
