// libFuzzer target for the SSE parser: however a stream is cut into chunks, it must yield the same
// events, the same comment count and the same verdict on oversized lines as when it arrives
// whole. Build and run with tests/fuzz/run_fuzzer.sh.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "polylogue/http/sse_parser.hpp"

namespace {

using polylogue::fuzz::check;
namespace http = polylogue::http;

// Small enough that the fuzzer reaches the refusal of an oversized line with short inputs.
constexpr std::size_t line_limit = 1024;

struct parse_result {
    std::vector<http::sse_event> events;
    std::size_t comments = 0;
    bool accepted = true;
};

bool same_events(const std::vector<http::sse_event>& a, const std::vector<http::sse_event>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) {
            return false;
        }
    }
    return true;
}

// Feeds text in pieces cut at the given positions (ascending), then finishes the stream.
parse_result parse_in_pieces(std::string_view text, const std::vector<std::size_t>& cuts) {
    parse_result result;
    http::sse_parser parser{[&](const http::sse_event& event) { result.events.push_back(event); },
                            line_limit};
    std::size_t start = 0;
    for (const std::size_t cut : cuts) {
        result.accepted = parser.feed(text.substr(start, cut - start)) && result.accepted;
        start = cut;
    }
    result.accepted = parser.feed(text.substr(start)) && result.accepted;
    parser.finish();
    result.comments = parser.comments_seen();
    return result;
}

std::vector<std::size_t> every(std::size_t step, std::size_t size) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = step; at < size; at += step) {
        cuts.push_back(at);
    }
    return cuts;
}

void check_events(const parse_result& result) {
    for (const http::sse_event& event : result.events) {
        check(!event.event.empty(), "an event always has a name (\"message\" by default)");
        check(event.id.find('\0') == std::string_view::npos, "an id never holds a NUL");
        check(event.event.find_first_of("\r\n") == std::string_view::npos, "names are one line");
    }
}

void check_same(const parse_result& whole, const parse_result& other, const char* how) {
    check(same_events(whole.events, other.events), how);
    check(whole.comments == other.comments, "the comment count does not depend on chunking");
    check(whole.accepted == other.accepted, "refusal does not depend on chunking");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = polylogue::fuzz::as_text(data, size);
    const parse_result whole = parse_in_pieces(text, {});
    check_events(whole);
    const std::size_t cut = polylogue::fuzz::split_point(text);
    check_same(whole, parse_in_pieces(text, {cut}), "one cut anywhere changes no event");
    const std::size_t step = polylogue::fuzz::chunk_size(text);
    check_same(whole, parse_in_pieces(text, every(step, size)), "small chunks change no event");
    return 0;
}
