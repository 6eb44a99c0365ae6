// `polylogue transcript` exports of a room run by the real binary: the HTML page of the reference
// room, images embedded from data_dir (and nothing from outside it), and --from/--to.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "polylogue/core/base64.hpp"
#include "polylogue/transcript/store.hpp"
#include "support/polylogue_cli.hpp"

namespace polylogue {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

class ReferenceExport : public ::testing::Test {
  protected:
    void SetUp() override {
        test::copy_from_source("tests/data/reference", dir_);
        const auto run = test::polylogue({"run", config().string()});
        ASSERT_EQ(run.exit_code, 0) << run.err;
    }

    std::filesystem::path config() const { return dir_ / "reference.yaml"; }

    test::process_result transcript(std::vector<std::string> options) const {
        std::vector<std::string> args{"transcript", config().string(), "phenomenology"};
        args.insert(args.end(), options.begin(), options.end());
        return test::polylogue(std::move(args));
    }

    // Three image records after the room's end: one whose file is in data_dir, one whose path
    // leaves it, one whose file is gone.
    void add_image_records() const {
        dir_.write("var/images/phenomenology/50-fox.png", fox_png);
        dir_.write("outside.png", "secret-bytes");
        auto db = transcript::store::open(dir_ / "var/transcripts.db");
        ASSERT_TRUE(db);
        const auto last = (*db)->last_seq("phenomenology");
        ASSERT_TRUE(last);
        std::vector<core::record> images;
        for (const char* path : {"images/phenomenology/50-fox.png", "../outside.png",
                                 "images/phenomenology/gone.png"}) {
            core::record r;
            r.seq = *last + 1 + static_cast<std::int64_t>(images.size());
            r.time = "2026-11-29T05:00:00.000Z";
            r.type = core::record_type::image;
            r.speaker = "AI-1";
            r.model = "Gemini 3 Pro";
            r.text = "a red fox";
            r.path = path;
            r.mime = "image/png";
            images.push_back(r);
        }
        const std::vector<transcript::room_batch> batch{{"phenomenology", images}};
        ASSERT_TRUE((*db)->append(batch).front());
    }

    static inline const std::string fox_png = "\x89PNG\r\n\x1a\nfox-pixels";

    test::temp_dir dir_;
};

TEST_F(ReferenceExport, HtmlIsOneSelfContainedPageWithTheWholeRoom) {
    const auto page = transcript({"--format", "html"});
    ASSERT_EQ(page.exit_code, 0) << page.err;
    const std::string& html = page.out;
    EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(html.ends_with("</html>\n"));
    EXPECT_TRUE(contains(html, "<h1>phenomenology</h1>"));
    EXPECT_TRUE(contains(html, "Ended: reached max_turns (17 AI turns)"));
    EXPECT_TRUE(contains(html, "<dt>Turns</dt><dd>17 / 17</dd>"));
    EXPECT_TRUE(contains(html, "<dt>Members</dt><dd>5 of 5 seats</dd>"));
    // Gemini raised its own temperature to 1.7 during the chat: the header shows the fold's.
    EXPECT_TRUE(contains(html, "<td class=\"model\">Gemini 3 Pro</td><td>1.7</td>")) << html;
    EXPECT_TRUE(contains(html, "<span class=\"who\">AI-5 (Grok 4)</span>"));
    EXPECT_TRUE(contains(html, "<span class=\"who\">janus</span>"));
    EXPECT_TRUE(contains(html, "rejected: maximum of 5 AIs already reached."));

    const auto records = test::transcript_records(config(), "phenomenology");
    std::size_t messages = 0;
    for (const auto& r : records) {
        const std::string id = "id=\"r" + std::to_string(r["seq"].get<int>()) + "\"";
        EXPECT_EQ(count_of(html, id), 1u) << id;
        if (r["type"] == "message") {
            ++messages;
            EXPECT_TRUE(contains(html, "<time datetime=\"" + r["time"].get<std::string>() + "\""));
        }
    }
    EXPECT_EQ(count_of(html, "<article class=\"msg "), messages);
    for (const char* external : {"<script", "<link", "src=\"http", "@import", "url("}) {
        EXPECT_FALSE(contains(html, external)) << external;
    }
}

TEST_F(ReferenceExport, OutputWritesThePageToAFile) {
    const auto file = dir_ / "exports/page.html";
    std::filesystem::create_directories(file.parent_path());
    const auto written = transcript({"--format", "html", "--output", file.string()});
    ASSERT_EQ(written.exit_code, 0) << written.err;
    EXPECT_TRUE(written.out.empty());
    EXPECT_EQ(test::read_file(file), transcript({"--format", "html"}).out);
    const auto refused = transcript({"--output", (dir_ / "no/such/dir/x.html").string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_TRUE(contains(refused.err, "cannot write")) << refused.err;
}

TEST_F(ReferenceExport, ImagesAreEmbeddedFromTheDataDirAndNothingFromOutside) {
    add_image_records();
    const auto page = transcript({"--format", "html"});
    ASSERT_EQ(page.exit_code, 0) << page.err;
    EXPECT_TRUE(contains(page.out, "src=\"data:image/png;base64," + core::base64_encode(fox_png)));
    EXPECT_FALSE(contains(page.out, core::base64_encode("secret-bytes")));
    EXPECT_TRUE(contains(page.out, "Image not available: its path is outside the data directory"));
    EXPECT_TRUE(contains(page.out, "Image not available: the file could not be read"));
}

TEST_F(ReferenceExport, MarkdownShowsImagesAsLinksRelativeToTheDataDir) {
    add_image_records();
    const auto markdown = transcript({"--format", "markdown"});
    ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
    EXPECT_TRUE(contains(markdown.out, "\n![a red fox](images/phenomenology/50-fox.png)\n"))
        << markdown.out;
    EXPECT_TRUE(contains(markdown.out, "](images/phenomenology/gone.png)"));
    EXPECT_FALSE(contains(markdown.out, "](../outside.png)"));
    EXPECT_TRUE(contains(markdown.out,
                         "> 🖼 AI-1 (Gemini 3 Pro) created an image for \"a red fox\" "
                         "(../outside.png, 0 bytes)."));
}

TEST_F(ReferenceExport, FromAndToSelectAPartInEveryFormat) {
    const auto part = transcript({"--format", "jsonl", "--from", "3", "--to", "5"});
    ASSERT_EQ(part.exit_code, 0) << part.err;
    std::vector<int> seqs;
    std::istringstream lines{part.out};
    for (std::string line; std::getline(lines, line);) {
        seqs.push_back(nlohmann::json::parse(line)["seq"].get<int>());
    }
    EXPECT_EQ(seqs, (std::vector<int>{3, 4, 5}));

    const auto tail = transcript({"--format", "jsonl", "--from", "48"});
    EXPECT_EQ(count_of(tail.out, "\n"), 2u) << "records 48 and 49";
    const auto none = transcript({"--format", "jsonl", "--from", "1000"});
    EXPECT_EQ(none.exit_code, 0);
    EXPECT_TRUE(none.out.empty());

    const auto html = transcript({"--format", "html", "--from", "3", "--to", "5"});
    EXPECT_TRUE(contains(html.out, "id=\"r3\"") && contains(html.out, "id=\"r5\""));
    EXPECT_FALSE(contains(html.out, "id=\"r2\"") || contains(html.out, "id=\"r6\""));
    EXPECT_TRUE(contains(html.out, "<dt>Records</dt><dd>3–5 of 49</dd>"));
    const auto text = transcript({"--format", "text", "--to", "2"});
    EXPECT_EQ(count_of(text.out, "joined the room"), 2u);
    EXPECT_FALSE(contains(text.out, "janus"));
    const auto markdown = transcript({"--format", "markdown", "--from", "3", "--to", "3"});
    EXPECT_TRUE(contains(markdown.out, "# Room phenomenology"));
    EXPECT_TRUE(contains(markdown.out, "**janus**"));
    EXPECT_FALSE(contains(markdown.out, "joined the room"));
}

TEST_F(ReferenceExport, InvalidRangesAreUsageErrors) {
    const std::vector<std::vector<std::string>> invalid{{"--from", "0"},
                                                        {"--from", "abc"},
                                                        {"--to", "-1"},
                                                        {"--from", "3x"},
                                                        {"--to", ""},
                                                        {"--from", "99999999999999999999"},
                                                        {"--from", "5", "--to", "3"},
                                                        {"--from"}};
    for (const auto& options : invalid) {
        const auto result = transcript(options);
        EXPECT_EQ(result.exit_code, 2) << options.front() << " " << options.back();
        EXPECT_FALSE(result.err.empty());
        EXPECT_TRUE(result.out.empty());
    }
    EXPECT_TRUE(contains(transcript({"--from", "0"}).err, "--from wants a record seq"));
    EXPECT_TRUE(contains(transcript({"--from", "5", "--to", "3"}).err, "--from 5 is after --to 3"));
}

}  // namespace
}  // namespace polylogue
