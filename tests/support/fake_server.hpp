#pragma once
// A real HTTP(S) server on 127.0.0.1:0 for tests: it records every request and answers as the
// test says, including misbehaviour (any status and headers, streamed chunks with delays, slow
// headers, a connection cut mid-body, raw bytes). It runs on its own thread and event loop, so
// it serves in-process clients and separate `polylogue` processes alike.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace polylogue::test {

using header_pairs = std::vector<std::pair<std::string, std::string>>;

struct recorded_request {
    std::string method;
    std::string target;
    header_pairs headers;  // names lower-case
    std::string body;
    std::chrono::steady_clock::time_point received;

    std::string header(const std::string& name) const;
};

struct fake_response {
    int status = 200;
    header_pairs headers;             // content-type etc.; framing headers are added
    std::vector<std::string> chunks;  // the body; more than one → sent chunked, one by one
    std::chrono::milliseconds header_delay{0};  // before the status line
    std::chrono::milliseconds chunk_delay{0};   // before each chunk after the first
    bool cut_after_chunks = false;              // close the connection instead of ending the body
    bool drop_request = false;        // close the connection at once: the request gets no answer
    bool close_after_answer = false;  // close once answered, though the answer said keep-alive
    std::string raw;                  // when set, these bytes are sent instead of a response

    static fake_response json(int status, std::string body, header_pairs headers = {});
    static fake_response sse(std::vector<std::string> events, header_pairs headers = {});
};

using request_handler = std::function<fake_response(const recorded_request&)>;

class fake_server {
  public:
    enum class scheme { http, https };

    explicit fake_server(scheme kind = scheme::http);
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;
    ~fake_server();

    // "http://127.0.0.1:PORT" (or https).
    std::string base_url() const;
    std::uint16_t port() const;

    // Every request goes to handler; it runs on the server's thread.
    void on_request(request_handler handler);
    std::vector<recorded_request> requests() const;
    std::size_t connections_accepted() const;

    struct impl;  // public so the serving coroutines (free functions) can name it

  private:
    std::unique_ptr<impl> impl_;
};

}  // namespace polylogue::test
