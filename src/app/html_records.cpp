#include "html_records.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "html_text.hpp"
#include "polylogue/core/base64.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/transcript/format.hpp"
#include "polylogue/transcript/image_files.hpp"

namespace polylogue::app {
namespace {

using core::record;
using core::record_type;

// Slots beyond the palette reuse its colours; rooms seat at most five AIs today.
constexpr int palette_size = 8;

// Longer messages are shown folded, with a control to unfold them.
constexpr std::size_t long_message_bytes = 1800;
constexpr std::ptrdiff_t long_message_lines = 30;

constexpr std::array month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digits_at(std::string_view s, std::size_t at, std::size_t count) {
    for (std::size_t i = at; i < at + count; ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

std::string speaker_header(const record& r) {
    return r.model.empty() ? r.speaker : r.speaker + " (" + r.model + ")";
}

std::string anchor(const record& r) {
    return "r" + std::to_string(r.seq);
}

// The record's clock time, linking to the record itself; the full time in the title.
std::string time_html(const record& r) {
    const auto readable = read_time(r.time);
    const std::string title = r.time + " · record " + std::to_string(r.seq);
    return "<a class=\"time\" href=\"#" + anchor(r) + "\"><time datetime=\"" + html_escape(r.time) +
           "\" title=\"" + html_escape(title) + "\">" +
           html_escape(readable ? readable->clock : r.time) + "</time></a>";
}

std::string usage_html(const record& r) {
    std::string parts;
    if (r.input_tokens || r.output_tokens) {
        parts = group_digits(r.input_tokens.value_or(0)) + " tokens in" +
                cache_parts(r.cached_input_tokens.value_or(0), r.cache_write_tokens.value_or(0)) +
                " · " + group_digits(r.output_tokens.value_or(0)) + " out";
    }
    if (r.cost_usd) {
        parts += (parts.empty() ? "" : " · ") + format_usd(*r.cost_usd);
    }
    return parts.empty() ? "" : "<footer class=\"usage\">" + parts + "</footer>\n";
}

// " · $0.0400" for an image or a search that cost something.
std::string tool_cost_html(const record& r) {
    return r.cost_usd ? " <span class=\"cost\">· " + format_usd(*r.cost_usd) + "</span>" : "";
}

bool is_long(std::string_view text) {
    return text.size() > long_message_bytes ||
           std::count(text.begin(), text.end(), '\n') > long_message_lines;
}

std::string message_text_html(const record& r) {
    if (!is_long(r.text)) {
        return "<div class=\"text\">\n" + render_text_html(r.text) + "</div>\n";
    }
    // A checkbox and its label fold a long message without a script; printing unfolds it.
    const std::string id = "more-" + anchor(r);
    return "<input type=\"checkbox\" class=\"more\" id=\"" + id + "\">\n" +
           "<div class=\"text long\">\n" + render_text_html(r.text) + "</div>\n" +
           "<label class=\"more-label\" for=\"" + id + "\">Show the whole message (" +
           group_digits(static_cast<std::int64_t>(r.text.size())) + " characters)</label>\n";
}

std::string message_html(const record& r) {
    const std::string who = speaker_class(r.speaker);
    std::string html = "<article class=\"msg " + who + "\" id=\"" + anchor(r) + "\">\n" +
                       "<div class=\"avatar\" aria-hidden=\"true\">" +
                       html_escape(avatar_text(r.speaker)) + "</div>\n<div class=\"bubble\">\n" +
                       "<header><span class=\"who\">" + html_escape(speaker_header(r)) + "</span>" +
                       time_html(r) + "</header>\n";
    if (!r.reasoning.empty()) {
        html += "<details class=\"reasoning\"><summary>Reasoning</summary>\n<div class=\"text\">" +
                render_text_html(r.reasoning) + "</div></details>\n";
    }
    return html + message_text_html(r) + usage_html(r) + "</div>\n</article>\n";
}

std::string event_html(const record& r) {
    std::string classes = "event ev-" + std::string{core::to_string(r.type)};
    if (r.type == record_type::command) {
        classes += " st-" + std::string{core::to_string(r.status)};
    }
    classes += " " + speaker_class(r.speaker);
    return "<div class=\"" + classes + "\" id=\"" + anchor(r) + "\"><span class=\"icon\">" +
           std::string{transcript::record_emoji(r)} + "</span><span class=\"line\">" +
           html_escape(transcript::describe(r)) + "</span>" + time_html(r) + "</div>\n";
}

bool is_image_mime(std::string_view mime) {
    if (!mime.starts_with("image/") || mime.size() == 6) {
        return false;
    }
    for (const char c : mime.substr(6)) {
        const bool allowed =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
        if (!allowed) {
            return false;
        }
    }
    return true;
}

std::string mime_of(const record& r) {
    if (is_image_mime(r.mime)) {
        return r.mime;
    }
    const std::string_view path = r.path;
    if (path.ends_with(".jpg") || path.ends_with(".jpeg")) {
        return "image/jpeg";
    }
    if (path.ends_with(".gif") || path.ends_with(".webp")) {
        return path.ends_with(".gif") ? "image/gif" : "image/webp";
    }
    return "image/png";  // browsers sniff an <img>'s real type anyway
}

std::string image_body_html(const record& r, const image_loader& load_image) {
    std::optional<std::string> bytes;
    std::string why = "the file could not be read";
    if (!transcript::is_confined_path(r.path)) {
        why = "its path is outside the data directory";
    } else if (load_image) {
        bytes = load_image(r.path);
    }
    if (!bytes) {
        return "<div class=\"missing\" role=\"img\" aria-label=\"image not available\">"
               "<span class=\"icon\">🖼</span><span>Image not available: " +
               html_escape(why) + "</span><code>" + html_escape(r.path) + "</code></div>\n";
    }
    return "<img src=\"data:" + mime_of(r) + ";base64," + core::base64_encode(*bytes) +
           "\" alt=\"" + html_escape(r.text) + "\">\n";
}

std::string image_html(const record& r, const image_loader& load_image) {
    return "<figure class=\"image " + speaker_class(r.speaker) + "\" id=\"" + anchor(r) + "\">\n" +
           image_body_html(r, load_image) + "<figcaption><span class=\"icon\">" +
           std::string{transcript::record_emoji(r)} + "</span><span class=\"who\">" +
           html_escape(speaker_header(r)) + "</span> <q>" + html_escape(r.text) + "</q>" +
           tool_cost_html(r) + time_html(r) + "</figcaption>\n</figure>\n";
}

// Only an http(s) URL becomes a link, or is shown at all: older records may hold others.
std::string hit_html(const core::search_hit& hit) {
    const bool linked = core::is_web_url(hit.url);
    const std::string title = html_escape(!hit.title.empty() ? hit.title
                                          : linked           ? hit.url
                                                             : "untitled");
    std::string html = "<li>";
    if (linked) {
        html += "<a href=\"" + html_escape(hit.url) + "\" rel=\"nofollow noopener noreferrer\">" +
                title + "</a> <span class=\"url\">" + html_escape(hit.url) + "</span>";
    } else {
        html += "<span class=\"title\">" + title + "</span>";
    }
    if (!hit.snippet.empty()) {
        html += "<p>" + html_escape(hit.snippet) + "</p>";
    }
    return html + "</li>\n";
}

std::string search_html(const record& r) {
    const std::size_t count = r.results.size();
    std::string html = "<section class=\"search " + speaker_class(r.speaker) + "\" id=\"" +
                       anchor(r) + "\">\n<div class=\"search-head\"><span class=\"icon\">" +
                       std::string{transcript::record_emoji(r)} + "</span><span class=\"line\">" +
                       "<span class=\"who\">" + html_escape(speaker_header(r)) +
                       "</span> searched for <q>" + html_escape(r.text) +
                       "</q>: " + std::to_string(count) + (count == 1 ? " result" : " results") +
                       tool_cost_html(r) + "</span>" + time_html(r) + "</div>\n";
    if (count > 0) {
        html += "<ol>\n";
        for (const auto& hit : r.results) {
            html += hit_html(hit);
        }
        html += "</ol>\n";
    }
    return html + "</section>\n";
}

}  // namespace

std::optional<readable_time> read_time(std::string_view t) {
    // 2026-11-29T04:30:00.123Z
    if (!digits_at(t, 0, 4) || t.size() < 19 || t[4] != '-' || !digits_at(t, 5, 2) || t[7] != '-' ||
        !digits_at(t, 8, 2) || t[10] != 'T' || !digits_at(t, 11, 2) || t[13] != ':' ||
        !digits_at(t, 14, 2) || t[16] != ':' || !digits_at(t, 17, 2)) {
        return std::nullopt;
    }
    const int month = (t[5] - '0') * 10 + (t[6] - '0');
    if (month < 1 || month > 12) {
        return std::nullopt;
    }
    const std::string_view day = t[8] == '0' ? t.substr(9, 1) : t.substr(8, 2);
    return readable_time{std::string{day} + " " + month_names[static_cast<std::size_t>(month - 1)] +
                             " " + std::string{t.substr(0, 4)},
                         std::string{t.substr(11, 8)}};
}

std::string speaker_class(std::string_view speaker) {
    if (const int slot = core::slot_from_label(speaker); slot > 0) {
        return "s" + std::to_string((slot - 1) % palette_size + 1);
    }
    return speaker.empty() ? "room" : "human";
}

std::string avatar_text(std::string_view speaker) {
    if (const int slot = core::slot_from_label(speaker); slot > 0) {
        return std::to_string(slot);
    }
    if (speaker.empty()) {
        return "·";
    }
    const char first = speaker.front();
    if (first >= 'a' && first <= 'z') {
        return std::string(1, static_cast<char>(first - 'a' + 'A'));
    }
    // The whole first UTF-8 sequence, never half of one.
    std::size_t length = 1;
    while (length < speaker.size() &&
           (static_cast<unsigned char>(speaker[length]) & 0xC0) == 0x80) {
        ++length;
    }
    return std::string{speaker.substr(0, length)};
}

std::string group_digits(std::int64_t value) {
    std::string digits = std::to_string(value < 0 ? -value : value);
    for (std::size_t at = digits.size(); at > 3; at -= 3) {
        digits.insert(at - 3, ",");
    }
    return value < 0 ? "-" + digits : digits;
}

std::string cache_parts(std::int64_t cached, std::int64_t written) {
    std::string parts;
    if (cached > 0) {
        parts = group_digits(cached) + " cached";
    }
    if (written > 0) {
        parts += (parts.empty() ? "" : ", ") + group_digits(written) + " written";
    }
    return parts.empty() ? "" : " (" + parts + ")";
}

std::string format_usd(double value) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), value >= 1.0 ? "$%.2f" : "$%.4f", value);
    return buffer.data();
}

std::string record_html(const record& r, const image_loader& load_image) {
    switch (r.type) {
        case record_type::message:
            return message_html(r);
        case record_type::image:
            return image_html(r, load_image);
        case record_type::search_results:
            return search_html(r);
        default:
            return event_html(r);
    }
}

}  // namespace polylogue::app
