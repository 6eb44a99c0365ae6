#include "html_export.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include "html_records.hpp"
#include "html_style.hpp"
#include "html_text.hpp"

namespace polylogue::app {
namespace {

namespace fs = std::filesystem;

std::string number(double value) {
    std::string text = std::to_string(value);  // "1.700000"
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') {
        text.pop_back();
    }
    return text;
}

std::string fact(std::string_view name, const std::string& value_html) {
    return "<div><dt>" + std::string{name} + "</dt><dd>" + value_html + "</dd></div>\n";
}

std::string status_html(const room::room_state& state) {
    if (state.ended) {
        return "<p class=\"status ended\"><span class=\"icon\">■</span> Ended: " +
               html_escape(state.end_reason) + "</p>\n";
    }
    return "<p class=\"status open\"><span class=\"icon\">●</span> Not ended: still running, or "
           "stopped and ready to resume where it left off</p>\n";
}

std::string member_state_text(const room::member_state& m) {
    if (m.suspended) {
        return "suspended";
    }
    if (m.exhausted) {
        return "done";
    }
    return m.muted ? "muted" : "active";
}

std::string members_html(const room::room_state& state) {
    if (state.members.empty()) {
        return "";
    }
    std::string rows;
    for (const auto& m : state.members) {
        const std::string label = core::slot_label(m.slot);
        const std::string joined =
            m.invited_by == "config" ? "from the start" : "invited by " + m.invited_by;
        rows += "<tr class=\"" + speaker_class(label) + "\"><td><span class=\"avatar\">" +
                std::to_string(m.slot) + "</span>" + label + "</td><td class=\"model\">" +
                html_escape(m.model) + "</td><td>" +
                (m.temperature ? number(*m.temperature) : "—") + "</td><td>" + html_escape(joined) +
                "</td><td>" + std::to_string(m.replies) + "</td><td>" + member_state_text(m) +
                "</td></tr>\n";
    }
    return "<table class=\"members\">\n<thead><tr><th>Seat</th><th>Model</th><th>Temperature</th>"
           "<th>Joined</th><th>Replies</th><th>State</th></tr></thead>\n<tbody>\n" +
           rows + "</tbody>\n</table>\n";
}

std::string people_of(std::span<const core::record> records) {
    std::vector<std::string> people;
    for (const auto& r : records) {
        const bool human = r.type == core::record_type::message && !r.speaker.empty() &&
                           core::slot_from_label(r.speaker) == 0;
        if (human && std::find(people.begin(), people.end(), r.speaker) == people.end()) {
            people.push_back(r.speaker);
        }
    }
    std::string list;
    for (const auto& name : people) {
        list += (list.empty() ? "" : ", ") + html_escape(name);
    }
    return list;
}

std::string time_span(std::span<const core::record> records) {
    const auto first = read_time(records.front().time);
    const auto last = read_time(records.back().time);
    if (!first || !last) {
        return html_escape(records.front().time + " – " + records.back().time);
    }
    if (first->date != last->date) {
        return first->date + " " + first->clock + " – " + last->date + " " + last->clock + " UTC";
    }
    const std::string clocks =
        first->clock == last->clock ? first->clock : first->clock + "–" + last->clock;
    return first->date + ", " + clocks + " UTC";
}

std::string facts_html(const html_export_input& in, const room::room_state& state) {
    std::string facts =
        fact("Turns", std::to_string(state.ai_turns) +
                          (in.room ? " / " + std::to_string(in.room->max_turns) : std::string{}));
    facts += fact("Members", std::to_string(state.members.size()) +
                                 (in.room ? " of " + std::to_string(in.room->max_ais) + " seats"
                                          : std::string{}));
    const bool tokens = state.input_tokens != 0 || state.output_tokens != 0;
    facts += fact("Tokens",
                  tokens ? group_digits(state.input_tokens) + " in" +
                               cache_parts(state.cached_input_tokens, state.cache_write_tokens) +
                               " · " + group_digits(state.output_tokens) + " out"
                         : "not reported");
    std::string cost = state.cost_usd > 0 ? format_usd(state.cost_usd) : "not reported";
    if (in.room && in.room->max_cost_usd) {
        cost += " (budget " + format_usd(*in.room->max_cost_usd) + ")";
    }
    facts += fact("Cost", cost);
    if (!in.records.empty()) {
        facts += "<div class=\"wide\"><dt>Time</dt><dd>" + time_span(in.records) + "</dd></div>\n";
        const bool part = in.records.front().seq > 1 || in.records.back().seq < state.last_seq;
        facts += fact("Records", part ? std::to_string(in.records.front().seq) + "–" +
                                            std::to_string(in.records.back().seq) + " of " +
                                            std::to_string(state.last_seq)
                                      : std::to_string(state.last_seq));
    }
    if (const std::string people = people_of(in.records); !people.empty()) {
        facts += fact("People", people);
    }
    return "<dl class=\"facts\">\n" + facts + "</dl>\n";
}

std::string records_html(std::span<const core::record> records, const image_loader& load_image) {
    if (records.empty()) {
        return "<p class=\"empty\">No records in this range.</p>\n";
    }
    std::string html;
    std::string day;
    for (const auto& r : records) {
        const auto readable = read_time(r.time);
        if (readable && readable->date != day) {
            day = readable->date;
            html += "<div class=\"day\"><span>" + day + "</span></div>\n";
        }
        html += record_html(r, load_image);
    }
    return html;
}

std::string page_head(const std::string& room_name) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"color-scheme\" content=\"light dark\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "img-src data:; style-src 'unsafe-inline'\">\n"
           "<meta name=\"generator\" content=\"Polylogue\">\n<title>" +
           html_escape(room_name) + " · Polylogue transcript</title>\n<style>\n" +
           std::string{html_export_style()} + "</style>\n</head>\n<body>\n";
}

}  // namespace

std::string export_html(const html_export_input& in, const image_loader& load_image) {
    static const room::room_state no_state;
    const room::room_state& state = in.state ? *in.state : no_state;
    return page_head(in.room_name) + "<header class=\"room-head\">\n" +
           "<p class=\"eyebrow\">Polylogue transcript</p>\n<h1>" + html_escape(in.room_name) +
           "</h1>\n" + status_html(state) + facts_html(in, state) + members_html(state) +
           "</header>\n<main class=\"chat\">\n" + records_html(in.records, load_image) +
           "</main>\n<footer class=\"page-foot\">Exported from Polylogue · times in UTC · "
           "hover a time for the full timestamp</footer>\n</body>\n</html>\n";
}

}  // namespace polylogue::app
