#pragma once
// An OpenAI-compatible chat completions server with no delay, for the benchmark: every request
// gets the same short SSE stream (a few deltas, a usage chunk, [DONE]) over keep-alive HTTP/1.1.
// The answer is serialised once, so a request costs a parse and one write (the cache phase asks
// for a reply of realistic size per request instead: vary_replies). It runs on its own
// thread and watches what the benchmark needs: how many requests came, which room sent each
// (the room's system prompt names it), the gap between answering a room and that room's next
// request, a sample of the bodies, and its own thread's CPU time.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace polylogue::bench {

// What the server saw between begin_window() and end_window().
struct window_report {
    std::uint64_t requests = 0;
    std::uint64_t body_bytes = 0;
    std::chrono::nanoseconds elapsed{0};
    std::chrono::nanoseconds server_cpu{0};  // the server thread's CPU time in the window
    // For each request of a room already answered once in the window: how long after the
    // answer was written the room's next request had fully arrived.
    std::vector<std::chrono::nanoseconds> gaps;
    std::vector<std::string> bodies;  // a uniform sample of the request bodies
};

class fake_openai_server {
  public:
    // Listens on 127.0.0.1 on a free port and starts serving on a thread of its own.
    fake_openai_server();
    fake_openai_server(const fake_openai_server&) = delete;
    fake_openai_server& operator=(const fake_openai_server&) = delete;
    ~fake_openai_server();

    std::uint16_t port() const noexcept;
    // What a provider's base_url is: http://127.0.0.1:PORT/v1
    std::string base_url() const;
    // The full stream every request gets, headers included.
    const std::string& answer() const noexcept;
    // From now on the nth request (counted from 0 at this call) gets a reply of its own,
    // test::varied_reply(n, mean_bytes), so that a run gets the same replies whatever ran
    // before it; 0 goes back to answer().
    void vary_replies(std::size_t mean_bytes);

    // Requests fully read since the server started.
    std::uint64_t requests() const noexcept;
    // Blocks until requests() >= count or the limit passes; returns requests().
    std::uint64_t wait_for_requests(std::uint64_t count, std::chrono::milliseconds limit) const;
    // Distinct rooms that have sent a request since the last begin_window() / forget_rooms().
    std::size_t rooms_seen() const;
    void forget_rooms();

    // Starts measuring: gaps are collected and up to sample_size bodies kept.
    // A sample_size of at least the window's requests keeps every body, in order.
    void begin_window(std::size_t sample_size);
    window_report end_window();

    // The server thread's CPU time so far.
    std::chrono::nanoseconds cpu_time() const;

    struct impl;  // public so that the serving coroutines (free functions) can name it

  private:
    std::unique_ptr<impl> impl_;
};

// The room a request body belongs to: the word after "bench room " in its system prompt, or
// empty when it names none.
std::string room_of(std::string_view body);

}  // namespace polylogue::bench
