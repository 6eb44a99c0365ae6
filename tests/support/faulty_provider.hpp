#pragma once
// A fake provider (OpenAI, Anthropic or Gemini kind) that answers most calls with a good stream
// and, drawn from a shuffled deck, some with a fault: every failure the adapters and the HTTP
// client handle, plus slow streams that must still succeed. It keeps a ledger of every turn it
// saw (retries of one turn send the same body) with what it answered each time, so a test can
// account for every request against the transcript.

#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "support/fake_server.hpp"

namespace polylogue::test {

enum class fault {
    none,
    slow_stream,      // a good reply, chunks spaced out (within the idle deadline)
    rate_limited,     // 429 with Retry-After: 1
    server_error,     // 500
    bad_gateway,      // 502, an HTML body
    unavailable,      // 503
    overloaded,       // 529 with Anthropic's overloaded_error
    cut_mid_stream,   // the connection closes after two chunks
    malformed_json,   // an event whose data is not JSON
    error_in_stream,  // 200, then the API's error event
    slow_headers,     // headers later than the first_byte deadline
    oversized_line,   // one 9 MiB SSE line: over the parser's 8 MiB line limit
    oversized_body,   // 33 MiB: over the client's 32 MiB body limit (a final failure)
    dropped_request,  // the connection closes once the request is read: no answer at all
    key_echo,         // 400 whose message echoes "sk-" and 30,000 key-like characters (final)
};

inline constexpr fault all_faults[] = {
    fault::none,           fault::slow_stream,     fault::rate_limited, fault::server_error,
    fault::bad_gateway,    fault::unavailable,     fault::overloaded,   fault::cut_mid_stream,
    fault::malformed_json, fault::error_in_stream, fault::slow_headers, fault::oversized_line,
    fault::oversized_body, fault::dropped_request, fault::key_echo,
};

std::string to_string(fault f);
// Faults that end the attempt (all but none and slow_stream).
bool is_failure(fault f);

enum class api_kind { openai, anthropic, gemini };

// How many of each fault a deck of deck_size calls holds; the rest answer well. A sequence,
// when given, is dealt instead, in its order and again from its start when used up.
struct fault_deck {
    std::map<fault, int> counts;
    int deck_size = 1000;
    std::vector<fault> sequence;
};

// What the provider saw of one turn: every try, in order.
struct turn_ledger {
    std::string room;
    std::string seat;  // "AI-2"
    std::vector<fault> tries;
    std::string reply;  // the text served when a try succeeded
    std::chrono::steady_clock::time_point first_seen;
};

struct fault_timing {
    std::chrono::milliseconds header_delay{6000};  // slow_headers: beyond first_byte
    std::chrono::milliseconds chunk_delay{100};    // slow_stream: well within idle
};

class faulty_provider {
  public:
    faulty_provider(api_kind kind, fault_deck deck, std::uint32_t seed, fault_timing timing = {});

    std::string base_url() const { return server_.base_url(); }
    api_kind kind() const noexcept { return kind_; }

    std::vector<turn_ledger> ledger() const;
    std::map<fault, int> injected() const;
    std::size_t requests() const;

  private:
    fake_response answer(const recorded_request& request);
    fake_response good_reply(const std::string& text) const;
    fake_response faulty_reply(fault f, const std::string& text) const;
    fault draw();

    api_kind kind_;
    fault_timing timing_;
    std::vector<fault> deck_;
    bool dealt_in_order_ = false;
    std::size_t next_card_ = 0;
    std::mt19937 random_;
    mutable std::mutex mutex_;
    std::map<std::size_t, std::size_t> turn_of_body_;
    std::vector<turn_ledger> turns_;
    std::map<fault, int> injected_;
    std::map<std::string, int> replies_per_seat_;
    std::size_t requests_ = 0;
    std::shared_ptr<const std::string> nine_mib_line_;
    std::shared_ptr<const std::string> thirty_three_mib_;
    std::shared_ptr<const std::string> key_echo_body_;
    fake_server server_;  // last: its thread may call answer() until it is destroyed
};

// The room and seat a soak request is for, read from the system prompt the soak config sets:
// "[soak room=NAME seat=AI-n]".
std::pair<std::string, std::string> soak_marker(const std::string& body);
std::string soak_system_prompt();

}  // namespace polylogue::test
