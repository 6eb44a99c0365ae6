#pragma once
// An incremental Server-Sent Events parser (the WHATWG event-stream format): pure, fed with
// chunks split anywhere (even inside a CRLF or a UTF-8 sequence). Handles LF, CR and CRLF line
// ends, comment lines (": OPENROUTER PROCESSING"), `event:`, `id:`, `retry:` and multi-line
// `data:` (joined with "\n"). An event is dispatched at a blank line; a final event that is not
// followed by a blank line is dispatched by finish() (Gemini closes the stream without one).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace polylogue::http {

struct sse_event {
    std::string event;  // "message" when the stream named none
    std::string data;
    std::string id;
};

class sse_parser {
  public:
    using event_handler = std::function<void(const sse_event&)>;

    // Lines longer than max_line_bytes make feed() return false (the stream is refused).
    explicit sse_parser(event_handler on_event, std::size_t max_line_bytes = 8 * 1024 * 1024);

    // Consumes a chunk; returns false once a line exceeds the limit.
    bool feed(std::string_view chunk);

    // End of stream: dispatches a pending event that had data but no closing blank line.
    void finish();

    std::size_t comments_seen() const noexcept { return comments_; }

  private:
    void on_line(std::string_view line);
    void dispatch();

    event_handler on_event_;
    std::size_t max_line_bytes_;
    std::string line_;
    bool last_was_cr_ = false;
    sse_event pending_;
    bool has_data_ = false;
    std::size_t comments_ = 0;
    bool refused_ = false;      // a line exceeded the limit: every later feed() fails
    bool bom_checked_ = false;  // a BOM is only skipped at the very start of the stream
};

}  // namespace polylogue::http
