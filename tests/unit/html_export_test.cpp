#include "app/html_export.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "polylogue/core/base64.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"

namespace polylogue::app {
namespace {

using core::record_type;

bool contains(const std::string& html, const std::string& part) {
    return html.find(part) != std::string::npos;
}

std::size_t count_of(const std::string& html, const std::string& part) {
    std::size_t count = 0;
    for (auto at = html.find(part); at != std::string::npos; at = html.find(part, at + 1)) {
        ++count;
    }
    return count;
}

core::record image_record(int slot, std::string prompt, std::string path) {
    auto r = test::of_type(record_type::image, slot, std::move(prompt));
    r.model = "Gemini 3 Pro";
    r.path = std::move(path);
    r.mime = "image/png";
    r.bytes = 8;
    return r;
}

// A small room: two configured members, a human opening, a reply with usage and reasoning, a
// clamped temperature, a refused invitation, a failed turn and the end.
std::vector<core::record> lab_records() {
    auto opus = test::message("AI-2", "Hello **janus**.", "Claude Opus 4.5");
    opus.reasoning = "They want a greeting.";
    opus.input_tokens = 1200;
    opus.output_tokens = 345;
    opus.cost_usd = 0.0123;
    auto temperature = test::command(2, "temperature", {"1.4"});
    temperature.value = 1.0;
    temperature.requested = 1.4;
    temperature.detail = "temperature set to 1 (asked 1.4, clamped to the range 0–1)";
    auto refused = test::command(1, "add_ai", {"Llama 3"}, core::command_status::rejected);
    refused.detail = "maximum of 5 AIs already reached";
    auto failed = test::of_type(record_type::turn_failed, 1);
    failed.model = "Gemini 3 Pro";
    failed.error_type = "overloaded_error";
    failed.http_status = 529;
    failed.attempts = 4;
    auto records = test::numbered(
        {test::join(1, "Gemini 3 Pro", "config", 0.9), test::join(2, "Claude Opus 4.5"),
         test::message("janus", "Talk about <script>alert('x')</script> please"), opus, temperature,
         test::message("AI-1", "see:\n```py\nprint(1 < 2)\n```\n> quoted", "Gemini 3 Pro"), refused,
         failed, test::of_type(record_type::room_ended, 0, "reached max_turns (3 AI turns)")});
    for (auto& r : records) {
        r.time = "2026-11-29T04:30:0" + std::to_string(r.seq) + ".120Z";
    }
    return records;
}

config::room lab_room() {
    config::room room;
    room.name = "lab";
    room.members = {"Gemini 3 Pro", "Claude Opus 4.5"};
    room.max_turns = 3;
    room.max_ais = 5;
    room.max_cost_usd = 2.5;
    return room;
}

std::string export_of(const std::vector<core::record>& records, const image_loader& loader = {},
                      std::span<const core::record> shown = {}) {
    const auto room = lab_room();
    const auto state = room::fold(records);
    const html_export_input input{"lab", &room, shown.empty() ? records : shown, &state};
    return export_html(input, loader);
}

TEST(HtmlExport, HeaderShowsTheRoomMembersTurnsEndTokensAndCost) {
    const std::string html = export_of(lab_records());
    EXPECT_TRUE(contains(html, "<title>lab · Polylogue transcript</title>"));
    EXPECT_TRUE(contains(html, "<h1>lab</h1>"));
    EXPECT_TRUE(contains(html, "Ended: reached max_turns (3 AI turns)"));
    EXPECT_TRUE(contains(html, "<dt>Turns</dt><dd>3 / 3</dd>")) << html;
    EXPECT_TRUE(contains(html, "<dt>Members</dt><dd>2 of 5 seats</dd>"));
    EXPECT_TRUE(contains(html, "<dt>Tokens</dt><dd>1,200 in · 345 out</dd>"));
    EXPECT_TRUE(contains(html, "<dt>Cost</dt><dd>$0.0123 (budget $2.50)</dd>"));
    EXPECT_TRUE(contains(html, "<dt>People</dt><dd>janus</dd>"));
    EXPECT_TRUE(contains(html, "<dd>29 Nov 2026, 04:30:01–04:30:09 UTC</dd>")) << html;
    // The members' temperatures are the fold's: AI-2 was clamped to 1, AI-1 started at 0.9.
    EXPECT_TRUE(contains(html,
                         "<tr class=\"s1\"><td><span class=\"avatar\">1</span>AI-1</td><td "
                         "class=\"model\">Gemini 3 Pro</td><td>0.9</td><td>from the "
                         "start</td><td>1</td><td>active</td></tr>"))
        << html;
    EXPECT_TRUE(contains(html, "<td class=\"model\">Claude Opus 4.5</td><td>1</td>"));
}

// lab_records() with prompt caching on AI-2's reply (read and written) and on AI-1's (read).
std::vector<core::record> cached_lab_records() {
    auto records = lab_records();
    records[3].cached_input_tokens = 1'000;
    records[3].cache_write_tokens = 150;
    records[5].input_tokens = 1'234'567;
    records[5].cached_input_tokens = 980'000;
    records[5].output_tokens = 45'333;
    return records;
}

TEST(HtmlExport, TheTokensLineShowsWhatThePromptCachesReadAndWrote) {
    const std::string html = export_of(cached_lab_records());
    EXPECT_TRUE(contains(html,
                         "<dt>Tokens</dt><dd>1,235,767 in (981,000 cached, 150 written) · "
                         "45,678 out</dd>"))
        << html;
}

TEST(HtmlExport, AMessagesUsageShowsItsCachedAndWrittenPartsWhenItHasThem) {
    const std::string html = export_of(cached_lab_records());
    EXPECT_TRUE(contains(html, "1,200 tokens in (1,000 cached, 150 written) · 345 out · $0.0123"))
        << html;
    EXPECT_TRUE(contains(html, "1,234,567 tokens in (980,000 cached) · 45,333 out"));
    // Without cached parts the line is as it was.
    EXPECT_TRUE(contains(export_of(lab_records()), "1,200 tokens in · 345 out · $0.0123"));
}

TEST(HtmlExport, ARoomWithoutAnEndSaysItHasNotEnded) {
    auto records = lab_records();
    records.pop_back();
    const std::string html = export_of(records);
    EXPECT_TRUE(contains(html, "Not ended: still running"));
    EXPECT_FALSE(contains(html, "Ended:"));
}

TEST(HtmlExport, MessagesAreBubblesWithSpeakerColourAndTheirOwnTime) {
    const std::string html = export_of(lab_records());
    EXPECT_TRUE(contains(html, "<article class=\"msg s2\" id=\"r4\">"));
    EXPECT_TRUE(contains(html, "<span class=\"who\">AI-2 (Claude Opus 4.5)</span>"));
    EXPECT_TRUE(contains(html,
                         "<time datetime=\"2026-11-29T04:30:04.120Z\" "
                         "title=\"2026-11-29T04:30:04.120Z · record 4\">04:30:04</time>"));
    EXPECT_TRUE(contains(html, "<p>Hello <strong>janus</strong>.</p>"));
    EXPECT_TRUE(contains(html, "1,200 tokens in · 345 out · $0.0123"));
    EXPECT_TRUE(contains(html, "<article class=\"msg human\" id=\"r3\">"));
    EXPECT_TRUE(contains(html, "<span class=\"who\">janus</span>"));
    EXPECT_EQ(count_of(html, "<div class=\"day\">"), 1u);
}

TEST(HtmlExport, ReasoningIsFoldedAway) {
    const std::string html = export_of(lab_records());
    EXPECT_TRUE(contains(html,
                         "<details class=\"reasoning\"><summary>Reasoning</summary>\n"
                         "<div class=\"text\"><p>They want a greeting.</p>"));
}

TEST(HtmlExport, MessageTextKeepsCodeBlocksAndQuotes) {
    const std::string html = export_of(lab_records());
    EXPECT_TRUE(contains(html, "<code class=\"language-py\">print(1 &lt; 2)</code></pre>"));
    EXPECT_TRUE(contains(html, "<blockquote>\n<p>quoted</p>\n</blockquote>"));
}

TEST(HtmlExport, AScriptInAMessageIsEscaped) {
    const std::string html = export_of(lab_records());
    EXPECT_FALSE(contains(html, "<script"));
    EXPECT_TRUE(contains(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
}

TEST(HtmlExport, NamesFromTheTranscriptAreEscapedEverywhere) {
    auto records = lab_records();
    records[2].speaker = "<b onmouseover=x>";
    records[3].model = "M<i>";
    const std::string html = export_of(records);
    EXPECT_FALSE(contains(html, "<b onmouseover"));
    EXPECT_FALSE(contains(html, "M<i>"));
    EXPECT_TRUE(contains(html, "&lt;b onmouseover=x&gt;"));
}

TEST(HtmlExport, CommandsJoinsAndFailuresAreCompactLines) {
    const std::string html = export_of(lab_records());
    EXPECT_TRUE(contains(html, "<div class=\"event ev-join s1\" id=\"r1\">"));
    EXPECT_TRUE(contains(html, "AI-1 (Gemini 3 Pro) joined the room (from the configuration)."));
    EXPECT_TRUE(contains(html, "<div class=\"event ev-command st-rejected s1\" id=\"r7\">"));
    EXPECT_TRUE(contains(
        html, "AI-1 ran !add_ai &quot;Llama 3&quot;: rejected: maximum of 5 AIs already reached."));
    EXPECT_TRUE(contains(html, "<div class=\"event ev-command st-ok s2\" id=\"r5\">"));
    EXPECT_TRUE(contains(html, "<div class=\"event ev-turn_failed s1\" id=\"r8\">"));
    EXPECT_TRUE(contains(html, "overloaded_error (HTTP 529) after 4 attempts"));
    EXPECT_TRUE(contains(html, "<div class=\"event ev-room_ended room\" id=\"r9\">"));
}

TEST(HtmlExport, EmbedsImagesAsDataUrls) {
    auto records = lab_records();
    records.insert(records.end() - 1, image_record(1, "a red fox", "images/lab/9-abc.png"));
    records = test::numbered(records);
    std::vector<std::string> asked;
    const auto html = export_of(records, [&asked](const std::string& path) {
        asked.push_back(path);
        return std::optional<std::string>{"\x89PNG\r\n\x1a\n"};
    });
    EXPECT_EQ(asked, std::vector<std::string>{"images/lab/9-abc.png"});
    EXPECT_TRUE(contains(html, "<img src=\"data:image/png;base64," +
                                   core::base64_encode("\x89PNG\r\n\x1a\n") +
                                   "\" alt=\"a red fox\">"));
    EXPECT_TRUE(contains(html, "<q>a red fox</q>"));
}

TEST(HtmlExport, AMissingImageShowsAPlaceholder) {
    auto records = lab_records();
    records.push_back(image_record(1, "a red fox", "images/lab/9-gone.png"));
    records = test::numbered(records);
    const auto html =
        export_of(records, [](const std::string&) { return std::optional<std::string>{}; });
    EXPECT_FALSE(contains(html, "<img"));
    EXPECT_TRUE(contains(html, "Image not available: the file could not be read"));
    EXPECT_TRUE(contains(html, "<code>images/lab/9-gone.png</code>"));
}

TEST(HtmlExport, ImagePathsLeavingTheDataDirAreNeverLoaded) {
    std::vector<core::record> records;
    for (const char* path : {"/etc/passwd", "../secret.png", "images/../../secret.png", ""}) {
        records.push_back(image_record(1, "x", path));
    }
    records = test::numbered(records);
    int asked = 0;
    const auto html = export_of(records, [&asked](const std::string&) {
        ++asked;
        return std::optional<std::string>{"bytes"};
    });
    EXPECT_EQ(asked, 0);
    EXPECT_EQ(count_of(html, "Image not available: its path is outside the data directory"), 4u);
}

TEST(HtmlExport, SearchResultsAreAListOfLinks) {
    auto search = test::of_type(record_type::search_results, 3, "residual stream");
    search.model = "Claude 3 Opus";
    search.results = {{"Transformers <explained>", "https://example.com/t?a=1&b=2", "A snippet"},
                      {"Evil", "javascript:alert(1)", ""}};
    const auto html = export_of(test::numbered({test::join(1, "A"), search}));
    EXPECT_TRUE(contains(html, "<section class=\"search s3\" id=\"r2\">"));
    EXPECT_TRUE(contains(html, "searched for <q>residual stream</q>: 2 results"));
    EXPECT_TRUE(contains(html,
                         "<li><a href=\"https://example.com/t?a=1&amp;b=2\" "
                         "rel=\"nofollow noopener noreferrer\">Transformers "
                         "&lt;explained&gt;</a>"));
    EXPECT_TRUE(contains(html, "<p>A snippet</p>"));
    EXPECT_FALSE(contains(html, "href=\"javascript"));
    EXPECT_TRUE(contains(html, "<span class=\"title\">Evil</span>"));
}

TEST(HtmlExport, AResultWhoseLinkIsNotHttpShowsItsTitleAlone) {
    auto search = test::of_type(record_type::search_results, 1, "foxes");
    search.results = {{"Evil", "javascript:alert(1)", "bait"},
                      {"", "data:text/html,<script>alert(1)</script>", ""},
                      {"Loud", "HTTPS://Example.com/Fox", ""}};
    const auto html = export_of(test::numbered({test::join(1, "A"), search}));
    EXPECT_FALSE(contains(html, "javascript:")) << html;
    EXPECT_FALSE(contains(html, "data:text/html")) << html;
    EXPECT_TRUE(contains(html, "<li><span class=\"title\">Evil</span><p>bait</p></li>")) << html;
    EXPECT_TRUE(contains(html, "<li><span class=\"title\">untitled</span></li>")) << html;
    EXPECT_TRUE(contains(html, "<a href=\"HTTPS://Example.com/Fox\"")) << "the scheme's case";
}

TEST(HtmlExport, ImagesAndSearchesShowTheirCostAndCountInTheRooms) {
    auto reply = test::message("AI-1", "a fox !image \"fox\" !search \"foxes\"", "Gemini 3 Pro");
    reply.cost_usd = 0.5;
    auto image = image_record(1, "fox", "images/lab/3-fox.png");
    image.cost_usd = 0.125;
    auto search = test::of_type(record_type::search_results, 1, "foxes");
    search.cost_usd = 0.0625;
    const auto html =
        export_of(test::numbered({test::join(1, "Gemini 3 Pro"), reply, image, search}));
    EXPECT_TRUE(contains(html, "<dt>Cost</dt><dd>$0.6875 (budget $2.50)</dd>")) << html;
    EXPECT_TRUE(contains(html, "<q>fox</q> <span class=\"cost\">· $0.1250</span>")) << html;
    EXPECT_TRUE(contains(html, "0 results <span class=\"cost\">· $0.0625</span>")) << html;
}

TEST(HtmlExport, APartOfTheTranscriptSaysWhichRecordsItShows) {
    const auto records = lab_records();
    const auto html = export_of(records, {}, std::span{records}.subspan(3, 3));
    EXPECT_TRUE(contains(html, "<dt>Records</dt><dd>4–6 of 9</dd>"));
    EXPECT_TRUE(contains(html, "id=\"r4\""));
    EXPECT_FALSE(contains(html, "id=\"r3\""));
    EXPECT_FALSE(contains(html, "id=\"r7\""));
    EXPECT_TRUE(contains(html, "<dt>Turns</dt><dd>3 / 3</dd>")) << "the header is the whole room's";
}

TEST(HtmlExport, LongMessagesAreFoldedWithoutAScript) {
    auto records = lab_records();
    records[2].text = std::string(5000, 'x');
    const auto html = export_of(records);
    EXPECT_TRUE(contains(html, "<input type=\"checkbox\" class=\"more\" id=\"more-r3\">"));
    EXPECT_TRUE(contains(html,
                         "<label class=\"more-label\" for=\"more-r3\">Show the whole "
                         "message (5,000 characters)</label>"));
}

TEST(HtmlExport, ThePageIsSelfContained) {
    const std::string html = export_of(lab_records());
    EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n"));
    EXPECT_TRUE(contains(html, "<style>"));
    EXPECT_TRUE(contains(html, "@media (prefers-color-scheme: dark)"));
    EXPECT_TRUE(contains(html, "default-src 'none'; img-src data:"));
    for (const char* external : {"<link", "<script", "src=\"http", "@import", "url("}) {
        EXPECT_FALSE(contains(html, external)) << external;
    }
}

TEST(HtmlExport, WorksWithoutTheRoomsSettings) {
    const auto records = lab_records();
    const auto state = room::fold(records);
    const auto html = export_html(html_export_input{"gone", nullptr, records, &state}, {});
    EXPECT_TRUE(contains(html, "<dt>Turns</dt><dd>3</dd>"));
    EXPECT_TRUE(contains(html, "<dt>Cost</dt><dd>$0.0123</dd>"));
}

}  // namespace
}  // namespace polylogue::app
