#include "polylogue/transcript/format.hpp"

#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "polylogue/core/text.hpp"
#include "polylogue/transcript/image_files.hpp"

namespace polylogue::transcript {
namespace {

using core::record;
using core::record_type;

constexpr std::array command_emoji{
    std::pair{core::command_name::image, std::string_view{"🎨"}},
    std::pair{core::command_name::add_ai, std::string_view{"✨"}},
    std::pair{core::command_name::temperature, std::string_view{"🌡"}},
    std::pair{core::command_name::search, std::string_view{"🔍"}},
    std::pair{core::command_name::mute_self, std::string_view{"🔇"}},
    std::pair{core::command_name::prompt, std::string_view{"📝"}},
    std::pair{core::command_name::list_models, std::string_view{"📋"}},
};

std::string_view emoji_for(const record& r) {
    switch (r.type) {
        case record_type::command:
            for (const auto& [name, emoji] : command_emoji) {
                if (name == r.command) {
                    return r.status == core::command_status::rejected ? "⛔" : emoji;
                }
            }
            return "❔";
        case record_type::join:
            return "➕";
        case record_type::skip:
            return "💤";
        case record_type::member_exhausted:
            return "🔚";
        case record_type::room_ended:
            return "■";
        case record_type::turn_failed:
            return "⚠";
        case record_type::member_suspended:
            return "⏸";
        case record_type::image:
            return "🖼";
        case record_type::search_results:
            return "🔎";
        case record_type::paused:
            return "⏸";
        case record_type::resumed:
            return "▶";
        case record_type::context_trimmed:
            return "✂";
        case record_type::member_reinstated:
            return "🔁";
        case record_type::next_speaker:
            return "👉";
        case record_type::loop_detected:
            return "🔂";
        case record_type::settings_changed:
            return "⚙";
        case record_type::left:
            return "➖";
        case record_type::forked:
            return "🍴";
        case record_type::archived:
            return "🗄";
        default:
            return "ℹ";
    }
}

std::string quoted(const std::string& arg) {
    std::string out = "\"";
    for (const char c : arg) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

std::string command_line(const record& r) {
    std::string line = "!" + std::string{core::to_string(r.command)};
    for (const auto& arg : r.args) {
        line += ' ';
        line += r.command == core::command_name::temperature ? arg : quoted(arg);
    }
    return line;
}

std::string ensure_period(std::string sentence) {
    if (!sentence.empty() && sentence.back() != '.' && sentence.back() != '!' &&
        sentence.back() != '?') {
        sentence += '.';
    }
    return sentence;
}

std::string speaker_header(const record& r) {
    return r.model.empty() ? r.speaker : r.speaker + " (" + r.model + ")";
}

// Scripts and models often end a reply with newlines; the chat shows one blank line between
// messages whatever they sent. The record keeps the text as it was.
std::string_view trimmed_end(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

std::string clock_of(const record& r) {
    // "2026-11-29T04:30:00.123Z" → "04:30:00"
    return r.time.size() >= 19 ? r.time.substr(11, 8) : r.time;
}

std::string failure_sentence(const record& r) {
    std::string why = r.error_type.empty() ? "error" : r.error_type;
    if (r.http_status != 0) {
        why += " (HTTP " + std::to_string(r.http_status) + ")";
    }
    if (r.attempts > 1) {
        why += " after " + std::to_string(r.attempts) + " attempts";
    }
    return ensure_period(speaker_header(r) + " could not answer: " + why +
                         (r.detail.empty() ? "" : ": " + r.detail));
}

std::string search_block(const record& r) {
    std::string block = speaker_header(r) + " searched for " + quoted(r.text) + " and found " +
                        std::to_string(r.results.size()) +
                        (r.results.size() == 1 ? " result" : " results") +
                        (r.results.empty() ? "." : ":");
    for (std::size_t i = 0; i < r.results.size(); ++i) {
        const auto& hit = r.results[i];
        // Only http(s) links are shown: older records may hold others (javascript:, data:).
        const bool linked = core::is_web_url(hit.url);
        block += "\n" + std::to_string(i + 1) + ". " +
                 (linked              ? hit.title + " — " + hit.url
                  : hit.title.empty() ? std::string{"untitled"}
                                      : hit.title);
        if (!hit.snippet.empty()) {
            block += "\n   " + hit.snippet;
        }
    }
    return block;
}

// Text that Markdown shows as it is, on one line: the characters that open inline markup (a
// link, an autolink, raw HTML, emphasis, code) are escaped with a backslash, and so is a
// leading one that would start a block (a heading, a list item).
std::string markdown_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (const char c : text) {
        const bool leads = out.empty() && (c == '-' || c == '+');
        if (leads || std::string_view{"\\`*_[]<>&#|~"}.find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c == '\n' || c == '\r' ? ' ' : c;
    }
    return out;
}

// A link destination that cannot end early or open markup: the characters Markdown reads in
// one are percent-encoded (the URL is an http(s) one without spaces).
std::string markdown_url(std::string_view url) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : url) {
        if (std::string_view{"()<>\"`'\\"}.find(c) != std::string_view::npos) {
            out += '%';
            out += hex[static_cast<unsigned char>(c) >> 4];
            out += hex[static_cast<unsigned char>(c) & 0xF];
        } else {
            out += c;
        }
    }
    return out;
}

// A search's results as a quoted numbered list: http(s) results as links, anything else (in
// records older than the adapters' filter) as its title alone, never as a link.
std::string search_markdown(const record& r) {
    std::string block = "> " + std::string{emoji_for(r)} + " " + markdown_text(speaker_header(r)) +
                        " searched for " + markdown_text(quoted(r.text)) + " and found " +
                        std::to_string(r.results.size()) +
                        (r.results.size() == 1 ? " result" : " results") +
                        (r.results.empty() ? ".\n\n" : ":\n>\n");
    for (std::size_t i = 0; i < r.results.size(); ++i) {
        const auto& hit = r.results[i];
        const bool linked = core::is_web_url(hit.url);
        const std::string title = markdown_text(!hit.title.empty() ? hit.title
                                                : linked           ? hit.url
                                                                   : "untitled");
        block += "> " + std::to_string(i + 1) + ". " +
                 (linked ? "[" + title + "](" + markdown_url(hit.url) + ")" : title);
        if (!hit.snippet.empty()) {
            block += " — " + markdown_text(hit.snippet);
        }
        block += "\n";
    }
    return r.results.empty() ? block : block + "\n";
}

// An image's prompt as the alt text of a Markdown image: on one line, its brackets and
// backslashes escaped so that it cannot close the link early.
std::string markdown_alt_text(std::string_view prompt) {
    std::string alt;
    for (const char c : prompt) {
        if (c == '\n' || c == '\r') {
            alt += ' ';
            continue;
        }
        if (c == '[' || c == ']' || c == '\\') {
            alt += '\\';
        }
        alt += c;
    }
    return alt;
}

// A path relative to data_dir as a link target: bytes outside a safe set percent-encoded, so a
// space or a parenthesis cannot end it.
std::string markdown_link_target(std::string_view path) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string target;
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
            target += c;
        } else {
            target += '%';
            target += hex[byte >> 4];
            target += hex[byte & 0xF];
        }
    }
    return target;
}

}  // namespace

std::string_view record_emoji(const record& r) noexcept {
    return emoji_for(r);
}

std::string describe(const record& r) {
    switch (r.type) {
        case record_type::message:
            return speaker_header(r) + ": " + r.text;
        case record_type::command:
            return ensure_period(r.speaker + " ran " + command_line(r) + ": " +
                                 std::string{core::to_string(r.status)} +
                                 (r.detail.empty() ? "" : ": " + r.detail));
        case record_type::join:
            return speaker_header(r) + " joined the room" +
                   (r.invited_by == "config" ? std::string{" (from the configuration)"}
                                             : ", invited by " + r.invited_by) +
                   (r.invite.empty() ? "." : " with the message " + quoted(r.invite) + ".");
        case record_type::skip:
        case record_type::member_exhausted:
        case record_type::notice:
            return ensure_period(r.text);
        case record_type::room_ended:
            return ensure_period("The room ended: " + r.text);
        case record_type::turn_failed:
            return failure_sentence(r);
        case record_type::member_suspended:
        case record_type::paused:
        case record_type::resumed:
        case record_type::context_trimmed:
        case record_type::member_reinstated:
        case record_type::next_speaker:
        case record_type::loop_detected:
        case record_type::settings_changed:
        case record_type::left:
        case record_type::forked:
        case record_type::archived:
            return ensure_period(r.text);
        case record_type::image:
            return speaker_header(r) + " created an image for " + quoted(r.text) + " (" + r.path +
                   ", " + std::to_string(r.bytes) + " bytes).";
        case record_type::search_results:
            return search_block(r);
    }
    return r.text;
}

std::string format_text(const record& r) {
    if (r.type == record_type::message) {
        return "[" + clock_of(r) + "] " + speaker_header(r) + ":\n" +
               std::string{trimmed_end(r.text)} + "\n\n";
    }
    return std::string{emoji_for(r)} + " " + describe(r) + "\n";
}

std::string format_markdown(const record& r) {
    if (r.type == record_type::message) {
        return "**" + speaker_header(r) + "** · " + r.time + "\n\n" +
               std::string{trimmed_end(r.text)} + "\n\n";
    }
    if (r.type == record_type::search_results) {
        return search_markdown(r);
    }
    std::string text = "> " + std::string{emoji_for(r)} + " " + describe(r) + "\n\n";
    if (r.type == record_type::image && is_confined_path(r.path)) {
        text += "![" + markdown_alt_text(r.text) + "](" + markdown_link_target(r.path) + ")\n\n";
    }
    return text;
}

}  // namespace polylogue::transcript
