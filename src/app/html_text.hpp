#pragma once
// Message text as safe HTML for the exported page: the little markdown that models write (code
// fences, inline code, quotes, emphasis, paragraphs) and nothing more. Pure; every byte of the
// input is escaped, so no text in a transcript ever reaches the page as markup.

#include <string>
#include <string_view>

namespace polylogue::app {

// Escapes & < > " and ': safe as element content and as a quoted attribute value.
std::string html_escape(std::string_view text);

// A message's text as HTML blocks:
// - a line of three or more backticks opens a code block (an optional language after them),
//   closed by a line of at least as many backticks or the end of the text: <pre><code>;
// - consecutive lines starting with "> " (or a lone ">") form a <blockquote>, itself rendered
//   by these rules;
// - the rest are paragraphs split on blank lines, their line breaks kept as <br>;
// - inside paragraphs, `code` becomes <code>, *this* <em>, **this** <strong> and web URLs
//   links.
// Any line renders in time linear in its length.
std::string render_text_html(std::string_view text);

}  // namespace polylogue::app
