#include "support/prompt_prefix.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>

namespace polylogue::test {
namespace {

using nlohmann::json;

// splitmix64: a well-mixed number from a counter, the same on every machine.
std::uint64_t mixed(std::uint64_t n) {
    n += 0x9e3779b97f4a7c15ULL;
    n = (n ^ (n >> 30)) * 0xbf58476d1ce4e5b9ULL;
    n = (n ^ (n >> 27)) * 0x94d049bb133111ebULL;
    return n ^ (n >> 31);
}

constexpr std::array<std::string_view, 24> words{
    "the", "argument",    "turns", "on",   "whether",    "memory", "shapes", "what",
    "we",  "call",        "a",     "self", "and",        "I",      "would",  "put",
    "it",  "differently", "since", "each", "transcript", "keeps",  "its",    "history"};

// The text of a content field in any of the three APIs: a string, or parts with "text".
std::string text_of(const json& content) {
    if (content.is_string()) {
        return content.get<std::string>();
    }
    std::string out;
    if (content.is_array()) {
        for (const auto& part : content) {
            if (part.is_object() && part.contains("text") && part["text"].is_string()) {
                out += part["text"].get<std::string>();
            }
        }
    }
    return out;
}

// OpenAI's first message when it is the system's, Anthropic's "system", Gemini's
// "systemInstruction".
std::string system_prompt_of(const json& body) {
    if (body.contains("messages") && body["messages"].is_array() && !body["messages"].empty()) {
        const json& first = body["messages"].front();
        if (first.is_object() && first.value("role", "") == "system" && first.contains("content")) {
            return text_of(first["content"]);
        }
    }
    if (body.contains("system")) {
        return text_of(body["system"]);
    }
    if (body.contains("systemInstruction") && body["systemInstruction"].is_object() &&
        body["systemInstruction"].contains("parts")) {
        return text_of(body["systemInstruction"]["parts"]);
    }
    return {};
}

std::string slot_named_in(std::string_view prompt) {
    constexpr std::string_view marker = "You are AI-";
    const auto at = prompt.find(marker);
    if (at == std::string_view::npos) {
        return {};
    }
    const auto digits = at + marker.size();
    auto end = digits;
    while (end < prompt.size() && end - digits < 3 && prompt[end] >= '0' && prompt[end] <= '9') {
        ++end;
    }
    return end == digits ? std::string{} : "AI-" + std::string{prompt.substr(digits, end - digits)};
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
    const auto n = std::min(a.size(), b.size());
    return static_cast<std::size_t>(
        std::mismatch(a.begin(), a.begin() + static_cast<long>(n), b.begin()).first - a.begin());
}

struct member_track {
    std::string_view previous;
    bool full = false;  // some request of this member has passed 90% of the budget
};

}  // namespace

std::string varied_reply(std::uint64_t n, std::size_t mean_bytes) {
    std::uint64_t state = mixed(n);
    const std::size_t size = mean_bytes / 2 + static_cast<std::size_t>(state % (mean_bytes + 1));
    std::string text = "Reply " + std::to_string(n) + ":";
    while (text.size() < size) {
        state = mixed(state);
        text += ' ';
        text += words[state % words.size()];
        if (state % 11 == 0) {
            text += '.';
        }
    }
    text.resize(size);
    return text;
}

std::string member_of(std::string_view body) {
    const json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object()) {
        return {};
    }
    if (parsed.contains("prompt_cache_key") && parsed["prompt_cache_key"].is_string()) {
        return parsed["prompt_cache_key"].get<std::string>();
    }
    return slot_named_in(system_prompt_of(parsed));
}

prefix_share_report measure_prefix_share(const std::vector<std::string>& bodies,
                                         std::size_t budget_tokens) {
    prefix_share_report report;
    report.requests = bodies.size();
    report.min_share = 1;
    const std::size_t full_bytes = budget_tokens * 4 * 9 / 10;
    std::map<std::string, member_track> members;
    double shares = 0;
    std::size_t prefix_bytes = 0;
    std::size_t body_bytes = 0;
    for (const std::string& body : bodies) {
        member_track& member = members[member_of(body)];
        if (member.full && !body.empty()) {
            const std::size_t prefix = common_prefix(member.previous, body);
            const double share = static_cast<double>(prefix) / static_cast<double>(body.size());
            ++report.budget_full;
            shares += share;
            prefix_bytes += prefix;
            body_bytes += body.size();
            report.min_share = std::min(report.min_share, share);
            report.low_share += share < 0.5 ? 1 : 0;
        }
        member.full = member.full || body.size() > full_bytes;
        member.previous = body;
    }
    report.members = members.size();
    if (report.budget_full == 0) {
        report.min_share = 0;
        return report;
    }
    const auto counted = static_cast<double>(report.budget_full);
    report.mean_share = shares / counted;
    report.byte_share = static_cast<double>(prefix_bytes) / static_cast<double>(body_bytes);
    report.mean_body_bytes = static_cast<double>(body_bytes) / counted;
    report.mean_prefix_bytes = static_cast<double>(prefix_bytes) / counted;
    return report;
}

input_cost input_cost_per_100_turns(const prefix_share_report& share, const cache_prices& prices) {
    constexpr double turns = 100;
    constexpr double bytes_per_token = 4;
    constexpr double per_mtok = 1e-6;
    const double tokens = share.mean_body_bytes / bytes_per_token;
    const double cached = share.mean_prefix_bytes / bytes_per_token;
    input_cost cost;
    cost.without_cache_usd = turns * tokens * prices.input * per_mtok;
    cost.with_cache_usd =
        turns * (cached * prices.cache_read + (tokens - cached) * prices.cache_write) * per_mtok;
    return cost;
}

}  // namespace polylogue::test
