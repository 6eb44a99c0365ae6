#pragma once
// How much of a member's request a provider's prompt cache could serve: for each request a
// member sends, the share of its body that is a byte-identical prefix of that member's previous
// request (docs/performance.md, "Prompt prefix share"). Pure: the long-room integration test and
// polylogue_bench's cache phase feed it the bodies their fake providers recorded. Also the
// replies those fakes send, so that both measure the same room.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polylogue::test {

// A reply of between half and one and a half times mean_bytes (mean_bytes on average), plain
// words with no command, mention or markup in them; the same for the same n, different for
// each n.
std::string varied_reply(std::uint64_t n, std::size_t mean_bytes);

// Who sent a request body: its prompt_cache_key when it has one, else the "AI-n" its system
// prompt names in "You are AI-n"; empty when neither is there or the body is not JSON.
std::string member_of(std::string_view body);

// Over the budget-full requests: those a member sent after one of its requests came to more
// than 90% of its context budget (context_tokens - max_tokens) at bytes / 4 tokens.
struct prefix_share_report {
    std::size_t requests = 0;     // every body seen
    std::size_t members = 0;      // distinct senders
    std::size_t budget_full = 0;  // the requests measured
    double mean_share = 0;        // mean of (common prefix with the previous) / body bytes
    double byte_share = 0;        // all their common-prefix bytes / all their body bytes
    double min_share = 0;
    std::size_t low_share = 0;  // requests sharing under half: trims, or a window shifting
    double mean_body_bytes = 0;
    double mean_prefix_bytes = 0;
};

// bodies in the order they were sent.
prefix_share_report measure_prefix_share(const std::vector<std::string>& bodies,
                                         std::size_t budget_tokens);

// Prices in USD per million tokens.
struct cache_prices {
    std::string_view name;
    double input = 0;
    double cache_read = 0;
    double cache_write = 0;
};

// Anthropic's Claude Sonnet 4.5 list prices (5-minute cache writes).
inline constexpr cache_prices claude_sonnet_4_5{"claude-sonnet-4.5", 3.0, 0.30, 3.75};

// The input bill of 100 budget-full turns (one request each), tokens estimated as bytes / 4:
// without caching every token at the input price; with it the common prefix at the cache-read
// price and the rest at the cache-write price (written for the next turn to read).
struct input_cost {
    double without_cache_usd = 0;
    double with_cache_usd = 0;
};
input_cost input_cost_per_100_turns(const prefix_share_report& share, const cache_prices& prices);

}  // namespace polylogue::test
