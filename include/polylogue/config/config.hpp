#pragma once
// The validated configuration. Every value here has passed `polylogue check`: names are unique,
// members exist in the catalogue, scripts are loaded, numbers are in range. Paths are absolute.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polylogue::config {

enum class provider_kind { scripted, openai, anthropic, gemini };

std::string_view to_string(provider_kind kind) noexcept;

// How a network provider retries a failed call.
struct retry_settings {
    int attempts = 4;  // tries in all, 1..20
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{30000};
    std::chrono::milliseconds max_wait{120000};  // total time spent waiting between tries
};

// Deadlines of one call to a network provider or tool.
struct timeout_settings {
    std::chrono::milliseconds connect{10000};      // TCP connect, proxy tunnel, TLS handshake
    std::chrono::milliseconds first_byte{120000};  // until the response headers
    std::chrono::milliseconds idle{60000};         // between two chunks of a streamed body
    std::chrono::milliseconds total{600000};       // the whole call
};

struct provider {
    std::string name;
    provider_kind kind = provider_kind::scripted;
    // network kinds only
    std::string base_url;           // http(s), no query, no trailing '/': paths are appended
    std::string api_key_env;        // the name of the variable holding the key; empty: no key
    std::filesystem::path ca_file;  // absolute; empty: the system's CA store
    // openai: the request field for the reply's token limit, "max_tokens" or
    // "max_completion_tokens"; when the file sets none, the latter for api.openai.com only
    std::string max_tokens_field = "max_tokens";
    std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
    std::string anthropic_version = "2023-06-01";
    int max_in_flight = 4;        // requests in flight across all rooms
    int requests_per_minute = 0;  // 0: no budget
    retry_settings retry;
    timeout_settings timeouts;
};

struct price {
    double input_per_mtok = 0;  // USD per million input tokens
    double output_per_mtok = 0;
    // Input read from or written to the provider's prompt cache; unset: input_per_mtok
    std::optional<double> cached_input_per_mtok;
    std::optional<double> cache_write_per_mtok;
};

// A reply's cost in USD: input is the whole prompt, of which cached were read from the
// provider's cache and written were written to it (each priced at its own rate); output at
// output_per_mtok.
double reply_cost_usd(const price& rates, std::int64_t input, std::int64_t cached,
                      std::int64_t written, std::int64_t output);

// The most one input token can cost: what a turn's worst case is estimated with (a prompt may
// be written to the cache whole).
double worst_input_per_mtok(const price& rates);

// The most a reply can cost: its prompt at worst_input_per_mtok and max_tokens of output.
double worst_reply_cost_usd(const price& rates, std::size_t prompt_tokens, int max_tokens);

// Prompt caching (docs/config.md, `cache`): auto marks what the provider may cache (Anthropic's
// cache_control, OpenAI's prompt_cache_key); off sends none of it.
enum class cache_mode { automatic, off };

struct temperature_range {
    double min = 0.0;
    double max = 2.0;
};

struct model {
    std::string name;      // display name, as in "AI-1 (Gemini 3 Pro)"
    std::string provider;  // a provider's name
    // scripted providers only: the script file and its replies, used in order
    std::filesystem::path script;
    std::vector<std::string> script_replies;
    // nullopt when the model takes no temperature at all ("temperature_range: none")
    std::optional<config::temperature_range> temperature_range = config::temperature_range{};
    double temperature = 1.0;  // the starting temperature, inside temperature_range
    // network providers only
    std::string id;  // the provider's model id, e.g. "anthropic/claude-opus-4.5"
    int max_tokens = 1024;
    // The model's context window in tokens: the renderer keeps the system prompt, the opening
    // and the newest records that fit in it beside max_tokens for the reply. Scripted models
    // have one too, so that long scripted rooms trim exactly as real ones would.
    int context_tokens = 32'000;
    std::optional<config::price> price;
    bool vision = false;
    cache_mode cache = cache_mode::automatic;
};

// How a suspended member is tried again (docs/config.md, "suspension"): after cool_down, then
// after twice as long each time, never more than max_cool_down, at most `retries` times.
struct suspension_settings {
    std::chrono::milliseconds cool_down{60'000};
    std::chrono::milliseconds max_cool_down{1'800'000};
    int retries = 20;  // failed retries before the member stays suspended; 0: never tried again
};

struct opening {
    std::string speaker;  // a human's name
    std::string text;
};

// Who speaks next (docs/config.md, "turn_order").
enum class turn_order {
    round_robin,  // slot order, after the last slot whose turn came
    natural,      // an AI the newest message addresses, else a draw weighted by talkativeness
    random,       // every AI once per round, in a freshly shuffled order each round
    parallel,     // every AI answers the same transcript at once; committed in slot order
    selector,     // the room's selector model names who speaks next; natural when it cannot
};

std::string_view to_string(turn_order order) noexcept;
std::optional<turn_order> turn_order_from_string(std::string_view name) noexcept;

enum class loop_action { notice, pause, end };

std::string_view to_string(loop_action action) noexcept;
std::optional<loop_action> loop_action_from_string(std::string_view name) noexcept;

// The loop guard (docs/config.md, "loop_guard"): fires when each of the last `window` AI
// messages is at least `similarity` similar to one of the `window` AI messages before it.
struct loop_guard {
    int window = 4;           // 2..50
    double similarity = 0.8;  // (0, 1]
    loop_action action = loop_action::pause;
};

enum class invitee_history { full, since_join };

std::string_view to_string(invitee_history history) noexcept;

// A member's weight in natural turn order's draw: 0 (never drawn unless addressed) .. 1.
inline constexpr double default_talkativeness = 0.5;

struct room {
    std::string name;  // [A-Za-z0-9._-], 1..64 characters, not starting with '.'; a file name
    std::vector<std::string> members;  // model names, seated as AI-1, AI-2, ...
    int max_ais = 5;                   // 1..5
    int max_turns = 40;                // AI turns, then the room ends; 1..1000000
    std::chrono::milliseconds turn_delay{2000};
    std::optional<config::opening> opening;
    std::string system_prompt;           // template; empty means default_system_prompt
    std::optional<double> max_cost_usd;  // the room ends once its recorded cost reaches it
    int suspend_after_failures = 3;      // failed turns in a row before a member is suspended
    suspension_settings suspension;      // when a suspended member is tried again
    std::string image_tool;              // a tool's name, or empty: !image is unavailable
    std::string search_tool;             // likewise !search
    config::turn_order turn_order = config::turn_order::round_robin;
    std::string selector;  // a model's name; set exactly when turn_order is selector
    std::optional<config::loop_guard> loop_guard;
    std::optional<int> max_ai_streak;  // AI messages without a human's before the room pauses
    config::invitee_history invitee_history = config::invitee_history::full;
    // By model name, from members written as {model: NAME, talkativeness: 0.8}; an invited
    // model takes its value here when the room lists it, default_talkativeness otherwise.
    std::vector<std::pair<std::string, double>> talkativeness;

    double talkativeness_of(std::string_view model) const noexcept;
};

enum class tool_kind { openai_images, gemini_image, openrouter_image, searxng, brave, tavily };

std::string_view to_string(tool_kind kind) noexcept;

struct tool {
    std::string name;
    tool_kind kind = tool_kind::searxng;
    std::string base_url;     // as a provider's
    std::string api_key_env;  // may be empty for searxng only
    std::string model;        // image kinds: the provider's image model, e.g. "gpt-image-1"
    int max_results = 5;      // search kinds: 1..20
    // What one image or one search costs, in US dollars: recorded on the image or
    // search_results record and counted in the room's spend and the daily budget. 0: free.
    double price_per_call_usd = 0;
    std::filesystem::path ca_file;
    // An image or a search is one short call: the whole of it gets 2 minutes, not a chat's 10.
    timeout_settings timeouts{std::chrono::milliseconds{10000}, std::chrono::milliseconds{120000},
                              std::chrono::milliseconds{60000}, std::chrono::milliseconds{120000}};

    bool is_image() const noexcept {
        return kind == tool_kind::openai_images || kind == tool_kind::gemini_image ||
               kind == tool_kind::openrouter_image;
    }
};

// The control API of `polylogue serve` (docs/config.md, "control").
struct control_settings {
    bool enabled = true;
    std::string listen = "127.0.0.1:7475";  // HOST:PORT, numeric host; port 0 picks a free one
    // Where the bearer token comes from: an environment variable or a file (its first line).
    // With neither, only a loopback listen address is allowed and no token is asked.
    std::string token_env;
    std::filesystem::path token_file;  // absolute
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    // Host names (lower case) the API answers to besides its listen address: a reverse proxy's
    // or a DNS name of the machine. A request addressed to any other is refused (DNS rebinding).
    std::vector<std::string> allowed_hosts;
};

// The daemon log (docs/config.md, "logging"). POLYLOGUE_LOG_LEVEL overrides level.
struct logging_settings {
    std::string level = "info";  // trace, debug, info, warn, error, critical, off
    std::uint64_t max_file_bytes = 10 * 1024 * 1024;  // then the file rotates
    int max_files = 5;                                // rotated files kept, 1..100
    bool json = false;                                // one JSON object per line
};

enum class store_kind { sqlite, postgres };

// Where the transcripts live (docs/config.md, "store"; docs/deploy.md, "A fleet").
struct store_settings {
    store_kind kind = store_kind::sqlite;  // sqlite: data_dir/transcripts.db, one daemon
    // postgres: the name of the environment variable holding a libpq connection string (a URL
    // or key=value words); the string itself, which may hold a password, is never in the file.
    std::string url_env;
    // How long a node owns a room without renewing its lease; renewed every lease / 3.
    std::chrono::milliseconds lease{5000};
};

struct config {
    std::filesystem::path file;      // the YAML file this came from, absolute
    std::filesystem::path data_dir;  // absolute; default "var" beside the config file
    std::vector<provider> providers;
    std::vector<model> models;
    std::vector<room> rooms;
    std::vector<tool> tools;
    control_settings control;
    logging_settings logging;
    store_settings store;
    // On SIGTERM, how long turns in flight may run on before they are cancelled.
    std::chrono::milliseconds shutdown_grace{3000};
    // What every room of the data_dir may spend in a UTC day, in US dollars; nullopt: no limit.
    std::optional<double> budget_usd_per_day;

    const tool* find_tool(std::string_view name) const noexcept;
    const model* find_model(std::string_view name) const noexcept;
    const provider* find_provider(std::string_view name) const noexcept;
    const room* find_room(std::string_view name) const noexcept;
};

// The template used when a room sets no system_prompt. Placeholders: {slot} {model} {members}
// {room} {max_ais} {commands} (the commands the room can carry out, one per line).
std::string_view default_system_prompt() noexcept;

}  // namespace polylogue::config
