// A search result's link reaches the models and the text and Markdown exports only when it is
// an http(s) one: records written before the adapters filtered links may hold javascript: or
// data: ones, and those are left out (the title stays, as plain text).

#include <gtest/gtest.h>

#include "polylogue/transcript/format.hpp"
#include "support/records.hpp"

namespace polylogue::transcript {
namespace {

core::record old_search() {
    auto r = test::of_type(core::record_type::search_results, 2, "red foxes");
    r.model = "Claude Opus 4.5";
    r.results = {{"Red fox", "https://en.wikipedia.org/wiki/Red_fox", "The largest true fox."},
                 {"Click me", "javascript:alert(document.cookie)", "A trap."},
                 {"", "data:text/html,<script>alert(1)</script>", ""},
                 {"[Shiny](javascript:alert(1)) *bold* <b>x</b>", "HTTPS://Example.com/a(b)", ""}};
    return test::numbered({r}).front();
}

TEST(SearchLinks, ModelsAndTheTextExportSeeOnlyHttpLinks) {
    const std::string seen = describe(old_search());
    EXPECT_EQ(seen,
              "AI-2 (Claude Opus 4.5) searched for \"red foxes\" and found 4 results:\n"
              "1. Red fox — https://en.wikipedia.org/wiki/Red_fox\n"
              "   The largest true fox.\n"
              "2. Click me\n"
              "   A trap.\n"
              "3. untitled\n"
              "4. [Shiny](javascript:alert(1)) *bold* <b>x</b> — HTTPS://Example.com/a(b)");
    EXPECT_EQ(format_text(old_search()).find("javascript:alert(document"), std::string::npos);
}

TEST(SearchLinks, TheMarkdownExportLinksOnlyHttpUrlsAndEscapesTheRest) {
    const std::string markdown = format_markdown(old_search());
    EXPECT_EQ(markdown,
              "> 🔎 AI-2 (Claude Opus 4.5) searched for \"red foxes\" and found 4 results:\n"
              ">\n"
              "> 1. [Red fox](https://en.wikipedia.org/wiki/Red_fox) — The largest true fox.\n"
              "> 2. Click me — A trap.\n"
              "> 3. untitled\n"
              "> 4. [\\[Shiny\\](javascript:alert(1)) \\*bold\\* \\<b\\>x\\</b\\>]"
              "(HTTPS://Example.com/a%28b%29)\n\n")
        << markdown;
    EXPECT_EQ(markdown.find("](javascript"), markdown.find("\\](javascript") + 1)
        << "a link to javascript: survived";
    EXPECT_EQ(markdown.find("data:"), std::string::npos);
}

}  // namespace
}  // namespace polylogue::transcript
