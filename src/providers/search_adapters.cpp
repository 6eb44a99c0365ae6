// Web search backends: SearXNG (self-hosted, GET /search?format=json), the Brave Search API
// (GET /res/v1/web/search) and Tavily (POST /search). All three answer with a list of
// title/url/text results; the adapters keep the first few with an http(s) URL, each with a
// bounded snippet.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "polylogue/core/base64.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/providers/tool_adapters.hpp"
#include "providers/body_excerpt.hpp"
#include "providers/json_access.hpp"
#include "providers/request_headers.hpp"

namespace polylogue::providers {
namespace {

using json = nlohmann::json;

// Snippets end up in a model's prompt; a few hundred bytes per hit carry the gist.
constexpr std::size_t snippet_limit = 500;
// Brave's count and Tavily's max_results both stop at 20.
constexpr int backend_result_cap = 20;

std::string dump(const json& value) {
    // Replace rather than throw: a stray invalid byte in a query must not cost the search.
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::size_t wanted_hits(int max_results) {
    return static_cast<std::size_t>(std::max(1, max_results));
}

int requested_count(int max_results) {
    return std::clamp(max_results, 1, backend_result_cap);
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view spaces = " \t\r\n\f\v";
    const std::size_t start = text.find_first_not_of(spaces);
    if (start == std::string_view::npos) {
        return {};
    }
    return text.substr(start, text.find_last_not_of(spaces) - start + 1);
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    const auto byte = [&](std::uint32_t value) { out += static_cast<char>(value); };
    if (code_point < 0x80) {
        byte(code_point);
    } else if (code_point < 0x800) {
        byte(0xC0 | (code_point >> 6));
        byte(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        byte(0xE0 | (code_point >> 12));
        byte(0x80 | ((code_point >> 6) & 0x3F));
        byte(0x80 | (code_point & 0x3F));
    } else {
        byte(0xF0 | (code_point >> 18));
        byte(0x80 | ((code_point >> 12) & 0x3F));
        byte(0x80 | ((code_point >> 6) & 0x3F));
        byte(0x80 | (code_point & 0x3F));
    }
}

int digit_value(char c, bool hex) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const char lower = static_cast<char>(c | 0x20);
    return hex && lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

// "&#x27;" / "&#39;": at most 0x10FFFF and no surrogates, else the text stays as it is.
std::optional<std::uint32_t> numeric_entity(std::string_view digits) {
    const bool hex = !digits.empty() && (digits.front() == 'x' || digits.front() == 'X');
    digits.remove_prefix(hex ? 1 : 0);
    if (digits.empty() || digits.size() > 7) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    for (const char c : digits) {
        const int digit = digit_value(c, hex);
        if (digit < 0) {
            return std::nullopt;
        }
        value = value * (hex ? 16u : 10u) + static_cast<std::uint32_t>(digit);
    }
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return std::nullopt;
    }
    return value;
}

// The entities Brave actually sends (it escapes quotes and apostrophes in descriptions).
std::optional<std::uint32_t> entity_value(std::string_view name) {
    constexpr std::pair<std::string_view, std::uint32_t> named[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
    if (!name.empty() && name.front() == '#') {
        return numeric_entity(name.substr(1));
    }
    for (const auto& [entity, value] : named) {
        if (name == entity) {
            return value;
        }
    }
    return std::nullopt;
}

std::string decode_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const std::size_t end = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
        const auto value = end != std::string_view::npos && end - i <= 10
                               ? entity_value(text.substr(i + 1, end - i - 1))
                               : std::nullopt;
        if (!value) {
            out += text[i];
            continue;
        }
        append_utf8(out, *value == 0xA0 ? ' ' : *value);
        i = end;
    }
    return out;
}

bool opens_tag(std::string_view text, std::size_t i) {
    if (text[i] != '<' || i + 1 >= text.size()) {
        return false;
    }
    const char next = text[i + 1];
    return std::isalpha(static_cast<unsigned char>(next)) != 0 || next == '/' || next == '!';
}

// Brave marks the query's words with <strong>; a '<' that starts no tag ("a < b") stays.
std::string strip_tags(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const std::size_t close = opens_tag(text, i) ? text.find('>', i) : std::string_view::npos;
        if (close == std::string_view::npos) {
            out += text[i];
            continue;
        }
        i = close;
    }
    return out;
}

std::string plain_text(std::string_view html) {
    return decode_entities(strip_tags(html));
}

api_failure malformed(std::string message) {
    // Usually a body cut off in transit; the next attempt tends to arrive whole.
    return api_failure{failure_kind::retriable, 0, "malformed_body", std::move(message)};
}

struct hit_fields {
    const char* snippet;  // "content" or "description"
    bool html;            // title and snippet carry markup and entities
};

search_outcome decode_hits(const json& results, const hit_fields& fields, int max_results) {
    std::vector<search_hit> hits;
    if (results.is_null()) {
        return hits;  // Brave leaves "web" out when nothing matched
    }
    if (!results.is_array()) {
        return malformed("the results are not a JSON array");
    }
    const std::size_t wanted = wanted_hits(max_results);
    for (const json& result : results) {
        std::string url{trim(string_field(result, "url"))};
        if (!core::is_web_url(url)) {
            // A hit nobody can open is no source, and a javascript: or data: link is worse:
            // only http(s) links reach the models, the records and the exports.
            continue;
        }
        std::string title = string_field(result, "title");
        std::string snippet = string_field(result, fields.snippet);
        if (fields.html) {
            title = plain_text(title);
            snippet = plain_text(snippet);
        }
        hits.push_back(
            {excerpt(title, snippet_limit), std::move(url), excerpt(snippet, snippet_limit)});
        if (hits.size() == wanted) {
            break;
        }
    }
    return hits;
}

json parse_object(std::string_view body) {
    json parsed = json::parse(body, nullptr, false);
    return parsed.is_object() ? parsed : json{};
}

// {"error":{"message"|"detail","type"|"code"|"status"}} (Brave puts its text in "detail"),
// or FastAPI's {"detail": "..."} / {"detail":{"error": "..."}} (Tavily).
void describe_from_body(const json& parsed, api_failure& failure) {
    const json& error = member(parsed, "error");
    for (const char* name : {"message", "detail"}) {
        if (failure.message.empty()) {
            failure.message = string_field(error, name);
        }
    }
    for (const char* name : {"type", "code", "status"}) {
        if (failure.type.empty()) {
            failure.type = string_field(error, name);
        }
    }
    const json& detail = member(parsed, "detail");
    if (failure.message.empty()) {
        failure.message =
            detail.is_string() ? detail.get<std::string>() : string_field(detail, "error");
    }
    if (failure.message.empty() && error.is_string()) {
        failure.message = error.get<std::string>();
    }
}

api_failure classify_search_error(int status, const header_list& headers, std::string_view body) {
    api_failure failure = classify_status(status, headers);
    describe_from_body(parse_object(body), failure);
    if (failure.type.empty()) {
        failure.type = "http_" + std::to_string(status);
    }
    if (failure.message.empty()) {
        failure.message = body_excerpt(body);
    }
    return failure;
}

http_call get_call(std::string target, const tool_settings& settings, header_list headers) {
    headers.insert(headers.end(), settings.extra_headers.begin(), settings.extra_headers.end());
    return {"GET", std::move(target), std::move(headers), {}};
}

class json_search_adapter : public search_adapter {
  public:
    api_failure classify_error(int status, const header_list& headers,
                               std::string_view body) const override {
        return classify_search_error(status, headers, body);
    }

  protected:
    static search_outcome decode_at(std::string_view body, const char* outer,
                                    const hit_fields& fields, int max_results) {
        const json parsed = parse_object(body);
        if (parsed.is_null()) {
            return malformed("the search response is not a JSON object");
        }
        const json& container = outer == nullptr ? parsed : member(parsed, outer);
        return decode_hits(member(container, "results"), fields, max_results);
    }
};

// https://docs.searxng.org/dev/search_api.html; the instance must enable the json format.
class searxng_adapter final : public json_search_adapter {
  public:
    http_call build_request(std::string_view query, const tool_settings& settings,
                            int /*max_results: SearXNG pages are fixed-size*/) const override {
        return get_call("/search?q=" + core::url_encode_component(query) + "&format=json", settings,
                        key_header("authorization", settings.api_key, "Bearer "));
    }

    search_outcome decode(std::string_view body, int max_results) const override {
        return decode_at(body, nullptr, {"content", false}, max_results);
    }
};

// https://api-dashboard.search.brave.com/app/documentation/web-search
class brave_adapter final : public json_search_adapter {
  public:
    http_call build_request(std::string_view query, const tool_settings& settings,
                            int max_results) const override {
        return get_call(
            "/res/v1/web/search?q=" + core::url_encode_component(query) +
                "&count=" + std::to_string(requested_count(max_results)),
            settings, {{"accept", "application/json"}, {"x-subscription-token", settings.api_key}});
    }

    search_outcome decode(std::string_view body, int max_results) const override {
        return decode_at(body, "web", {"description", true}, max_results);
    }
};

// https://docs.tavily.com/documentation/api-reference/endpoint/search
class tavily_adapter final : public json_search_adapter {
  public:
    http_call build_request(std::string_view query, const tool_settings& settings,
                            int max_results) const override {
        header_list headers = json_request_headers(
            {{"authorization", "Bearer " + settings.api_key}}, settings.extra_headers);
        const json body = {{"query", query}, {"max_results", requested_count(max_results)}};
        return {"POST", "/search", std::move(headers), dump(body)};
    }

    search_outcome decode(std::string_view body, int max_results) const override {
        return decode_at(body, nullptr, {"content", false}, max_results);
    }
};

}  // namespace

std::unique_ptr<search_adapter> make_search_adapter(std::string_view kind) {
    if (kind == "searxng") {
        return std::make_unique<searxng_adapter>();
    }
    if (kind == "brave") {
        return std::make_unique<brave_adapter>();
    }
    if (kind == "tavily") {
        return std::make_unique<tavily_adapter>();
    }
    return nullptr;
}

}  // namespace polylogue::providers
