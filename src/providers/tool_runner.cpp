#include "polylogue/providers/tool_runner.hpp"

#include "polylogue/http/url.hpp"

namespace polylogue::providers {

namespace asio = boost::asio;

namespace {

constexpr std::size_t max_image_bytes = 20 * 1024 * 1024;

std::string_view image_kind(config::tool_kind kind) {
    switch (kind) {
        case config::tool_kind::openai_images:
            return "openai";
        case config::tool_kind::gemini_image:
            return "gemini";
        case config::tool_kind::openrouter_image:
            return "openrouter";
        default:
            return {};
    }
}

api_failure tool_failure(std::string type, std::string message) {
    return {failure_kind::final, 0, std::move(type), std::move(message)};
}

// A failure's words end up in records, logs and API answers.
template <class Outcome>
Outcome without_key(Outcome outcome, std::string_view key) {
    if (outcome.has_error()) {
        return redact(outcome.error(), key);
    }
    return outcome;
}

}  // namespace

tool_runner::tool_runner(const config::config& cfg, http::client& client,
                         environment_reader environment)
    : client_{client} {
    for (const auto& tool : cfg.tools) {
        configured_tool entry;
        entry.settings = &tool;
        entry.wire.base_url = tool.base_url;
        entry.wire.model_id = tool.model;
        if (!tool.api_key_env.empty()) {
            entry.wire.api_key = environment(tool.api_key_env).value_or("");
        }
        if (tool.is_image()) {
            entry.image = make_image_adapter(image_kind(tool.kind));
        } else {
            entry.searcher = make_search_adapter(config::to_string(tool.kind));
        }
        tools_.emplace(tool.name, std::move(entry));
    }
}

const tool_runner::configured_tool* tool_runner::find(const std::string& name) const {
    const auto found = tools_.find(name);
    return found == tools_.end() ? nullptr : &found->second;
}

http::request tool_runner::to_http(const configured_tool& tool, const http_call& call) const {
    http::request req;
    req.method = call.method;
    req.url = tool.wire.base_url + call.target;
    req.headers = call.headers;
    req.body = call.body;
    req.ca_file = tool.settings->ca_file.string();
    req.connect_timeout = tool.settings->timeouts.connect;
    req.header_timeout = tool.settings->timeouts.first_byte;
    req.idle_timeout = tool.settings->timeouts.idle;
    req.total_timeout = tool.settings->timeouts.total;
    return req;
}

asio::awaitable<image_outcome> tool_runner::generate_image(std::string tool, std::string prompt) {
    const configured_tool* entry = find(tool);
    if (entry == nullptr || !entry->image) {
        co_return tool_failure("no_tool", "no image tool named " + tool);
    }
    if (!entry->settings->api_key_env.empty() && entry->wire.api_key.empty()) {
        co_return tool_failure("missing_api_key", "the environment variable " +
                                                      entry->settings->api_key_env + " is not set");
    }
    auto outcome = co_await call_image(entry, std::move(prompt));
    co_return without_key(std::move(outcome), entry->wire.api_key);
}

asio::awaitable<image_outcome> tool_runner::call_image(const configured_tool* entry,
                                                       std::string prompt) {
    const http_call call = entry->image->build_request(prompt, entry->wire);
    auto answer = co_await client_.send(to_http(*entry, call));
    if (!answer) {
        co_return tool_failure("transport", answer.error().message());
    }
    if (answer->status / 100 != 2) {
        co_return entry->image->classify_error(answer->status, answer->headers, answer->body);
    }
    auto outcome = entry->image->decode(answer->body);
    if (outcome && outcome->bytes.empty()) {
        co_return co_await fetch_image(entry, outcome->url);
    }
    co_return outcome;
}

asio::awaitable<image_outcome> tool_runner::fetch_image(const configured_tool* tool,
                                                        std::string url) {
    const auto parsed = http::parse_url(url);
    if (!parsed || !parsed->tls()) {
        co_return tool_failure("insecure_url", "the image URL is not https: refused");
    }
    http::request req;
    req.method = "GET";
    req.url = url;
    req.ca_file = tool->settings->ca_file.string();
    req.total_timeout = tool->settings->timeouts.total;
    std::string bytes;
    bool too_large = false;
    auto answer = co_await client_.send(req, [&](std::string_view chunk) {
        too_large |= bytes.size() + chunk.size() > max_image_bytes;
        if (!too_large) {
            bytes.append(chunk);
        }
    });
    if (!answer) {
        co_return tool_failure("transport", answer.error().message());
    }
    if (answer->status != 200) {
        co_return tool_failure(
            "http_" + std::to_string(answer->status),
            "the image download was answered with HTTP " + std::to_string(answer->status));
    }
    if (too_large) {
        co_return tool_failure("too_large", "the image is larger than 20 MiB");
    }
    const auto type = answer->header("content-type");
    co_return generated_image{std::move(bytes), std::string{type.empty() ? "image/png" : type},
                              url};
}

asio::awaitable<search_outcome> tool_runner::search(std::string tool, std::string query) {
    const configured_tool* entry = find(tool);
    if (entry == nullptr || !entry->searcher) {
        co_return tool_failure("no_tool", "no search tool named " + tool);
    }
    if (!entry->settings->api_key_env.empty() && entry->wire.api_key.empty()) {
        co_return tool_failure("missing_api_key", "the environment variable " +
                                                      entry->settings->api_key_env + " is not set");
    }
    auto outcome = co_await call_search(entry, std::move(query));
    co_return without_key(std::move(outcome), entry->wire.api_key);
}

asio::awaitable<search_outcome> tool_runner::call_search(const configured_tool* entry,
                                                         std::string query) {
    const int max_results = entry->settings->max_results;
    const http_call call = entry->searcher->build_request(query, entry->wire, max_results);
    auto answer = co_await client_.send(to_http(*entry, call));
    if (!answer) {
        co_return tool_failure("transport", answer.error().message());
    }
    if (answer->status / 100 != 2) {
        co_return entry->searcher->classify_error(answer->status, answer->headers, answer->body);
    }
    co_return entry->searcher->decode(answer->body, max_results);
}

}  // namespace polylogue::providers
