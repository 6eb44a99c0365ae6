#include "html_text.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace polylogue::app {
namespace {

// Quotes nest by recursion; past this depth a quote line is shown as plain text.
constexpr int max_quote_depth = 8;
constexpr std::size_t max_language_length = 32;

void append_escaped(std::string& out, char c) {
    switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
    }
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        lines.push_back(line);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    return lines;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_blank(std::string_view line) {
    return trimmed(line).empty();
}

std::size_t run_of(std::string_view s, std::size_t from, char mark) {
    std::size_t end = from;
    while (end < s.size() && s[end] == mark) {
        ++end;
    }
    return end - from;
}

std::size_t backtick_run(std::string_view s, std::size_t from) {
    return run_of(s, from, '`');
}

// The length of the backtick run opening a fence on this line, or 0. As in CommonMark, up to
// three spaces may precede it and the text after it may hold no backtick (else it is inline).
std::size_t fence_length(std::string_view line) {
    std::size_t indent = 0;
    while (indent < line.size() && indent < 3 && line[indent] == ' ') {
        ++indent;
    }
    const std::size_t run = backtick_run(line, indent);
    if (run < 3 || line.substr(indent + run).find('`') != std::string_view::npos) {
        return 0;
    }
    return run;
}

bool closes_fence(std::string_view line, std::size_t opening) {
    const std::string_view t = trimmed(line);
    return t.size() >= opening && backtick_run(t, 0) == t.size();
}

// Only the characters a language name needs: the name lands in an attribute.
std::string fence_language(std::string_view line) {
    std::string_view info = trimmed(trimmed(line).substr(backtick_run(trimmed(line), 0)));
    std::string language;
    for (const char c : info) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' ||
                             c == '#' || c == '.';
        if (!allowed || language.size() == max_language_length) {
            break;
        }
        language += c;
    }
    return language;
}

bool is_quote_line(std::string_view line) {
    return line == ">" || line.starts_with("> ");
}

bool is_url_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && c != '<' && c != '>' && c != '"' && c != '`';
}

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_blank_char(char c) {
    return c == ' ' || c == '\t';
}

// Where a web URL starting at `at` ends, or `at` when none starts there. Punctuation that
// usually closes a sentence is left out, and so is a ')' the URL did not open.
std::size_t url_end(std::string_view line, std::size_t at) {
    const std::string_view rest = line.substr(at);
    const std::size_t scheme = rest.starts_with("https://")  ? 8
                               : rest.starts_with("http://") ? 7
                                                             : 0;
    if (scheme == 0 || (at > 0 && is_word_char(line[at - 1]))) {
        return at;
    }
    std::size_t end = at + scheme;
    std::ptrdiff_t open_parens = 0;
    for (; end < line.size() && is_url_char(line[end]); ++end) {
        open_parens += line[end] == '(' ? 1 : line[end] == ')' ? -1 : 0;
    }
    for (; end > at + scheme; --end) {
        const char last = line[end - 1];
        const bool unbalanced_paren = last == ')' && open_parens < 0;
        if (std::string_view{".,;:!?*'"}.find(last) == std::string_view::npos &&
            !unbalanced_paren) {
            break;
        }
        open_parens += last == ')' ? 1 : 0;
    }
    return end == at + scheme ? at : end;
}

constexpr int max_emphasis_depth = 4;

// One line of a paragraph. A run of backticks or stars that found no closer once finds none
// further on either (its search covered everything after), so failures are remembered and any
// line renders in linear time.
class inline_renderer {
  public:
    inline_renderer(std::string_view line, int depth) : line_{line}, depth_{depth} {}

    std::string render() {
        std::size_t i = 0;
        while (i < line_.size()) {
            const char c = line_[i];
            if (c == '`' || c == '*') {
                const std::size_t run = run_of(line_, i, c);
                const std::size_t after = c == '`' ? code_span(i, run) : emphasis(i, run);
                if (after == std::string_view::npos) {
                    out_.append(run, c);
                }
                i = after == std::string_view::npos ? i + run : after;
            } else if (const std::size_t end = url_end(line_, i); end != i) {
                const std::string url = html_escape(line_.substr(i, end - i));
                out_ +=
                    "<a href=\"" + url + "\" rel=\"nofollow noopener noreferrer\">" + url + "</a>";
                i = end;
            } else {
                append_escaped(out_, c);
                ++i;
            }
        }
        return std::move(out_);
    }

  private:
    // Returns where the span closed, or npos when the run opens none.
    std::size_t code_span(std::size_t at, std::size_t run) {
        if (std::find(unclosed_code_.begin(), unclosed_code_.end(), run) != unclosed_code_.end()) {
            return std::string_view::npos;
        }
        for (std::size_t i = at + run; i < line_.size();) {
            const std::size_t closing = run_of(line_, i, '`');
            if (closing == run) {
                out_ += "<code>" + html_escape(line_.substr(at + run, i - at - run)) + "</code>";
                return i + run;
            }
            i += closing == 0 ? 1 : closing;
        }
        unclosed_code_.push_back(run);
        return std::string_view::npos;
    }

    // *emphasis* and **strong**: the opening run is followed by a non-space and preceded by no
    // word character (so 2*3*4 stays as it is); the closing run, as long, follows a non-space
    // and precedes no word character.
    std::size_t emphasis(std::size_t at, std::size_t run) {
        const std::size_t open_end = at + run;
        if (run > 2 || unclosed_emphasis_[run] || depth_ >= max_emphasis_depth ||
            open_end >= line_.size() || is_blank_char(line_[open_end]) ||
            (at > 0 && is_word_char(line_[at - 1]))) {
            return std::string_view::npos;
        }
        for (std::size_t i = open_end + 1; i < line_.size();) {
            const std::size_t closing = run_of(line_, i, '*');
            const std::size_t after = i + closing;
            if (closing == run && !is_blank_char(line_[i - 1]) &&
                (after == line_.size() || !is_word_char(line_[after]))) {
                const std::string tag = run == 1 ? "em" : "strong";
                out_ += "<" + tag + ">" +
                        inline_renderer{line_.substr(open_end, i - open_end), depth_ + 1}.render() +
                        "</" + tag + ">";
                return after;
            }
            i = closing == 0 ? i + 1 : after;
        }
        unclosed_emphasis_[run] = true;
        return std::string_view::npos;
    }

    std::string_view line_;
    int depth_;
    std::string out_;
    std::vector<std::size_t> unclosed_code_;  // lengths of backtick runs that found no closer
    bool unclosed_emphasis_[3] = {};          // likewise for runs of 1 and 2 stars
};

std::string render_blocks(const std::vector<std::string_view>& lines, int depth);

std::size_t render_code_block(std::string& out, const std::vector<std::string_view>& lines,
                              std::size_t at) {
    const std::size_t opening = fence_length(lines[at]);
    const std::string language = fence_language(lines[at]);
    out += language.empty()
               ? "<pre><code>"
               : "<pre data-lang=\"" + language + "\"><code class=\"language-" + language + "\">";
    std::size_t i = at + 1;
    for (bool first = true; i < lines.size() && !closes_fence(lines[i], opening); ++i) {
        out += first ? "" : "\n";
        out += html_escape(lines[i]);
        first = false;
    }
    out += "</code></pre>\n";
    return i < lines.size() ? i + 1 : i;
}

std::size_t render_quote(std::string& out, const std::vector<std::string_view>& lines,
                         std::size_t at, int depth) {
    std::vector<std::string_view> inner;
    std::size_t i = at;
    for (; i < lines.size() && is_quote_line(lines[i]); ++i) {
        inner.push_back(lines[i].size() > 2 ? lines[i].substr(2) : std::string_view{});
    }
    out += "<blockquote>\n" + render_blocks(inner, depth + 1) + "</blockquote>\n";
    return i;
}

bool starts_block(std::string_view line, int depth) {
    return is_blank(line) || fence_length(line) != 0 ||
           (depth < max_quote_depth && is_quote_line(line));
}

std::size_t render_paragraph(std::string& out, const std::vector<std::string_view>& lines,
                             std::size_t at, int depth) {
    out += "<p>";
    std::size_t i = at;
    do {
        out += i == at ? "" : "<br>\n";
        out += inline_renderer{lines[i], 0}.render();
        ++i;
    } while (i < lines.size() && !starts_block(lines[i], depth));
    out += "</p>\n";
    return i;
}

std::string render_blocks(const std::vector<std::string_view>& lines, int depth) {
    std::string out;
    std::size_t i = 0;
    while (i < lines.size()) {
        if (is_blank(lines[i])) {
            ++i;
        } else if (fence_length(lines[i]) != 0) {
            i = render_code_block(out, lines, i);
        } else if (depth < max_quote_depth && is_quote_line(lines[i])) {
            i = render_quote(out, lines, i, depth);
        } else {
            i = render_paragraph(out, lines, i, depth);
        }
    }
    return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (const char c : text) {
        append_escaped(out, c);
    }
    return out;
}

std::string render_text_html(std::string_view text) {
    return render_blocks(split_lines(text), 0);
}

}  // namespace polylogue::app
