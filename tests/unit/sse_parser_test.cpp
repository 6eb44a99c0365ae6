// The event-stream rules of the WHATWG HTML standard (9.2 Server-sent events), as servers
// actually exercise them: odd line ends, comments, chunks split anywhere.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "polylogue/http/sse_parser.hpp"

namespace polylogue::http {
namespace {

// (event, data, id): comparable and printable by GoogleTest.
using seen_event = std::tuple<std::string, std::string, std::string>;
using seen_events = std::vector<seen_event>;

struct collector {
    seen_events events;
    sse_parser parser;

    explicit collector(std::size_t max_line_bytes = 8 * 1024 * 1024)
        : parser{[this](const sse_event& e) { events.emplace_back(e.event, e.data, e.id); },
                 max_line_bytes} {}
};

seen_events parse_chunks(const std::vector<std::string_view>& chunks) {
    collector c;
    for (const auto chunk : chunks) {
        EXPECT_TRUE(c.parser.feed(chunk));
    }
    c.parser.finish();
    return c.events;
}

seen_events parse(std::string_view stream) {
    return parse_chunks({stream});
}

seen_event message(std::string data, std::string id = {}) {
    return {"message", std::move(data), std::move(id)};
}

TEST(SseParser, DataLinesAreJoinedWithNewlinesWithoutATrailingOne) {
    EXPECT_EQ(parse("data: first\ndata: second\ndata: third\n\n"),
              seen_events{message("first\nsecond\nthird")});
}

TEST(SseParser, OnlyOneSpaceAfterTheColonIsStripped) {
    EXPECT_EQ(parse("data:tight\n\ndata: one\n\ndata:  two\n\n"),
              (seen_events{message("tight"), message("one"), message(" two")}));
}

TEST(SseParser, ColonsAfterTheFirstBelongToTheValue) {
    EXPECT_EQ(parse("data: {\"a\": \"b:c\"}\n\n"), seen_events{message("{\"a\": \"b:c\"}")});
}

TEST(SseParser, ALineWithoutAColonIsAFieldWithAnEmptyValue) {
    EXPECT_EQ(parse("data\n\n"), seen_events{message("")});
    EXPECT_EQ(parse("data\ndata\n\n"), seen_events{message("\n")});
    EXPECT_EQ(parse("data:\n\n"), seen_events{message("")});
}

TEST(SseParser, FieldNamesAreCaseSensitiveAndUnknownOnesAreIgnored) {
    EXPECT_EQ(parse("Data: no\nretry: 3000\nfoo: bar\ndata: yes\n\n"), seen_events{message("yes")});
}

TEST(SseParser, TheEventFieldNamesTheEventAndDefaultsToMessage) {
    EXPECT_EQ(parse("event: delta\ndata: a\n\ndata: b\n\nevent:\ndata: c\n\n"),
              (seen_events{{"delta", "a", ""}, message("b"), message("c")}));
}

TEST(SseParser, AnEventWithoutDataIsNotDispatchedButResetsTheEventName) {
    EXPECT_EQ(parse("event: ping\n\ndata: after\n\n"), seen_events{message("after")});
}

TEST(SseParser, TheLastEventIdCarriesOverToLaterEvents) {
    EXPECT_EQ(parse("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"),
              (seen_events{message("a", "7"), message("b", "7"), message("c", "")}));
}

TEST(SseParser, AnIdContainingNulIsIgnored) {
    using namespace std::string_view_literals;
    EXPECT_EQ(parse("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"sv),
              (seen_events{message("a", "1"), message("b", "1")}));
}

TEST(SseParser, CommentLinesAreCountedButNeverDispatched) {
    collector c;
    EXPECT_TRUE(c.parser.feed(": OPENROUTER PROCESSING\n\n:\n\ndata: x\n: mid-event\n\n"));
    c.parser.finish();
    EXPECT_EQ(c.events, seen_events{message("x")});
    EXPECT_EQ(c.parser.comments_seen(), 3u);
}

TEST(SseParser, AByteOrderMarkIsSkippedOnlyAtTheStartOfTheStream) {
    EXPECT_EQ(parse("\xEF\xBB\xBF"
                    "data: a\n\n"),
              seen_events{message("a")});
    // Later, the BOM is part of a field name nobody knows, so that line is ignored.
    EXPECT_EQ(parse("data: a\n\n\xEF\xBB\xBF"
                    "data: b\n\n"),
              seen_events{message("a")});
    EXPECT_EQ(parse_chunks({"\xEF", "\xBB", "\xBF", "data: a\n\n"}), seen_events{message("a")});
}

TEST(SseParser, CrLfAndCrlfAreAllLineEnds) {
    const seen_events two{message("a\nb"), message("c")};
    EXPECT_EQ(parse("data: a\ndata: b\n\ndata: c\n\n"), two);
    EXPECT_EQ(parse("data: a\rdata: b\r\rdata: c\r\r"), two);
    EXPECT_EQ(parse("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), two);
    EXPECT_EQ(parse("data: a\rdata: b\r\n\ndata: c\n\r"), two);
}

TEST(SseParser, ACrlfSplitAcrossChunksIsOneLineEnd) {
    EXPECT_EQ(parse_chunks({"data: a\r", "\ndata: b\r", "\n\r", "\n"}),
              seen_events{message("a\nb")});
    // A CR ending one chunk and a CR starting the next are two line ends: a blank line.
    EXPECT_EQ(parse_chunks({"data: a\r", "\rdata: b\r\n\r\n"}),
              (seen_events{message("a"), message("b")}));
}

TEST(SseParser, MultibyteCharactersSplitAcrossChunksArriveWhole) {
    EXPECT_EQ(parse_chunks({"data: caf\xC3", "\xA9 \xF0\x9F", "\x8C\xA1\n\n"}),
              seen_events{message("caf\xC3\xA9 \xF0\x9F\x8C\xA1")});
}

TEST(SseParser, FinishDispatchesAPendingEventThatHadNoBlankLine) {
    EXPECT_EQ(parse("data: a\n\ndata: tail\n"), (seen_events{message("a"), message("tail")}));
    EXPECT_EQ(parse("data: tail\r"), seen_events{message("tail")});
}

TEST(SseParser, FinishTreatsAnUnterminatedLastLineAsALine) {
    EXPECT_EQ(parse("data: a\ndata: b"), seen_events{message("a\nb")});
}

TEST(SseParser, FinishWithoutPendingDataDispatchesNothing) {
    EXPECT_EQ(parse("data: a\n\nevent: x\n: bye"), seen_events{message("a")});
    EXPECT_EQ(parse(""), seen_events{});
}

TEST(SseParser, ALineAtTheLimitIsAccepted) {
    collector c{16};
    EXPECT_TRUE(c.parser.feed("data: 0123456789\n\n"));  // exactly 16 bytes before the LF
    EXPECT_EQ(c.events, seen_events{message("0123456789")});
}

TEST(SseParser, ALineOverTheLimitRefusesTheStreamForGood) {
    collector c{16};
    EXPECT_TRUE(c.parser.feed("data: ok\n\ndata: 0123"));
    EXPECT_TRUE(c.parser.feed("45678"));
    EXPECT_FALSE(c.parser.feed("9A\n\n"));
    EXPECT_FALSE(c.parser.feed("data: later\n\n"));
    c.parser.finish();
    EXPECT_EQ(c.events, seen_events{message("ok")});
}

TEST(SseParser, AnOverlongLineIsRefusedEvenWithoutALineEnd) {
    collector c{8};
    EXPECT_FALSE(c.parser.feed("data: 1234567"));
    c.parser.finish();
    EXPECT_TRUE(c.events.empty());
}

// Every line-end style, comments, a BOM, ids, names and multi-line data in one stream.
constexpr std::string_view mixed_stream =
    "\xEF\xBB\xBF: hello\r\n"
    "retry: 1000\r\n"
    "\r\n"
    "event: first\r\n"
    "id: 1\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "data: line one\r"
    "data:line two\r"
    "\r"
    ": keep-alive\n"
    "\n"
    "event: lonely\n"
    "\n"
    "data: caf\xC3\xA9\n"
    "data\n"
    "data:  indented\n"
    "\r\n"
    "id: 2\n"
    "data: [DONE]\n"
    "\n"
    "data: no blank line at the end";

const seen_events& mixed_expected() {
    static const seen_events expected{
        {"first", "{\"a\":1}", "1"},
        {"message", "line one\nline two", "1"},
        {"message", "caf\xC3\xA9\n\n indented", "1"},
        {"message", "[DONE]", "2"},
        {"message", "no blank line at the end", "2"},
    };
    return expected;
}

TEST(SseParser, AStreamSplitAtEveryByteBoundaryGivesTheSameEvents) {
    ASSERT_EQ(parse(mixed_stream), mixed_expected());
    for (std::size_t cut = 0; cut <= mixed_stream.size(); ++cut) {
        EXPECT_EQ(parse_chunks({mixed_stream.substr(0, cut), mixed_stream.substr(cut)}),
                  mixed_expected())
            << "split at byte " << cut;
    }
}

TEST(SseParser, AStreamSplitAtEveryPairOfByteBoundariesGivesTheSameEvents) {
    const std::size_t size = mixed_stream.size();
    for (std::size_t first = 0; first <= size; ++first) {
        for (std::size_t second = first; second <= size; ++second) {
            const auto events = parse_chunks({mixed_stream.substr(0, first),
                                              mixed_stream.substr(first, second - first),
                                              mixed_stream.substr(second)});
            ASSERT_EQ(events, mixed_expected()) << "split at bytes " << first << ", " << second;
        }
    }
}

TEST(SseParser, AStreamFedByteByByteGivesTheSameEvents) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < mixed_stream.size(); ++i) {
        bytes.push_back(mixed_stream.substr(i, 1));
    }
    EXPECT_EQ(parse_chunks(bytes), mixed_expected());
}

}  // namespace
}  // namespace polylogue::http
