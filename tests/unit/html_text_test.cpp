#include "app/html_text.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace polylogue::app {
namespace {

bool contains(const std::string& html, const std::string& part) {
    return html.find(part) != std::string::npos;
}

TEST(HtmlText, EscapesEveryMarkupCharacter) {
    EXPECT_EQ(html_escape("<a href=\"x\" title='y'>&</a>"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST(HtmlText, AScriptInAMessageIsShownNotRun) {
    const std::string html = render_text_html("look <script>alert(\"pwned\")</script> here");
    EXPECT_FALSE(contains(html, "<script")) << html;
    EXPECT_TRUE(contains(html, "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;")) << html;
}

TEST(HtmlText, ParagraphsSplitOnBlankLinesAndKeepLineBreaks) {
    EXPECT_EQ(render_text_html("one\ntwo\r\n\n\nthree\n"), "<p>one<br>\ntwo</p>\n<p>three</p>\n");
}

TEST(HtmlText, FencedCodeBlockBecomesPreCodeWithItsLanguage) {
    const std::string html =
        render_text_html("before\n```cpp\nif (a < b) {\n  *p = 1;\n}\n```\nafter");
    EXPECT_EQ(html,
              "<p>before</p>\n<pre data-lang=\"cpp\"><code class=\"language-cpp\">if (a &lt; b) "
              "{\n  *p = 1;\n}</code></pre>\n<p>after</p>\n");
}

TEST(HtmlText, CodeBlockKeepsBlankLinesAndMarkdownLiterally) {
    const std::string html = render_text_html("```\n> not a quote\n\n`not code` *nor this*\n```");
    EXPECT_EQ(html, "<pre><code>&gt; not a quote\n\n`not code` *nor this*</code></pre>\n");
}

TEST(HtmlText, UnclosedFenceRunsToTheEndOfTheText) {
    EXPECT_EQ(render_text_html("````py\nx = 1\n```\ny"),
              "<pre data-lang=\"py\"><code class=\"language-py\">x = 1\n```\ny</code></pre>\n");
}

TEST(HtmlText, FenceLanguageKeepsOnlyNameCharacters) {
    const std::string html = render_text_html("```js\"><img src=x onerror=alert(1)>\nx\n```");
    EXPECT_TRUE(contains(html, "<pre data-lang=\"js\"><code class=\"language-js\">x</code>"))
        << html;
    EXPECT_FALSE(contains(html, "<img")) << html;
}

TEST(HtmlText, InlineCodeIsEscapedAndUnmatchedBackticksStayLiteral) {
    EXPECT_EQ(render_text_html("use `<b>` or ``a ` b`` but ` alone"),
              "<p>use <code>&lt;b&gt;</code> or <code>a ` b</code> but ` alone</p>\n");
}

TEST(HtmlText, QuoteLinesBecomeABlockquote) {
    EXPECT_EQ(render_text_html("> they said\n>\n> > nested\nmy answer"),
              "<blockquote>\n<p>they said</p>\n<blockquote>\n<p>nested</p>\n</blockquote>\n"
              "</blockquote>\n<p>my answer</p>\n");
}

TEST(HtmlText, ALineStartingWithAnArrowButNoSpaceIsNoQuote) {
    EXPECT_EQ(render_text_html(">not quoted"), "<p>&gt;not quoted</p>\n");
}

TEST(HtmlText, StarsMarkEmphasisButNotArithmetic) {
    EXPECT_EQ(render_text_html("*waves* and **loud** but 2*3*4 and * list"),
              "<p><em>waves</em> and <strong>loud</strong> but 2*3*4 and * list</p>\n");
}

TEST(HtmlText, EmphasisContentIsEscapedToo) {
    EXPECT_EQ(render_text_html("*<i>x</i>*"), "<p><em>&lt;i&gt;x&lt;/i&gt;</em></p>\n");
}

TEST(HtmlText, WebUrlsBecomeLinksWithoutTheirTrailingPunctuation) {
    const std::string html =
        render_text_html("see (https://example.com/a_(b)?q=1&r=2). or javascript:alert(1)");
    EXPECT_TRUE(contains(html,
                         "(<a href=\"https://example.com/a_(b)?q=1&amp;r=2\" rel=\"nofollow "
                         "noopener noreferrer\">https://example.com/a_(b)?q=1&amp;r=2</a>)."))
        << html;
    EXPECT_FALSE(contains(html, "href=\"javascript")) << html;
}

TEST(HtmlText, AdversarialLinesRenderInLinearTime) {
    std::string line;
    for (int i = 0; i < 100'000; ++i) {
        line += "*a **b c ";
    }
    line += "https://x.org/" + std::string(200'000, ')');
    const auto started = std::chrono::steady_clock::now();
    const std::string html = render_text_html(line);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_LT(took, std::chrono::seconds{2});
    EXPECT_FALSE(contains(html, "<em>"));
    EXPECT_FALSE(contains(html, "<strong>"));
    EXPECT_TRUE(contains(html, "<a href=\"https://x.org/\""));
}

}  // namespace
}  // namespace polylogue::app
