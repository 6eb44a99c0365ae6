#include "polylogue/http/sse_parser.hpp"

#include <utility>

namespace polylogue::http {
namespace {

constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

struct field_line {
    std::string_view name;
    std::string_view value;
};

// "name: value" -> {name, value}; a line without a colon is a field name with an empty value.
field_line split_field(std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        return {line, {}};
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    return {line.substr(0, colon), value};
}

}  // namespace

sse_parser::sse_parser(event_handler on_event, std::size_t max_line_bytes)
    : on_event_{std::move(on_event)}, max_line_bytes_{max_line_bytes} {}

bool sse_parser::feed(std::string_view chunk) {
    while (!refused_ && !chunk.empty()) {
        // The LF of a CRLF may arrive as the first byte of the next chunk.
        if (last_was_cr_ && chunk.front() == '\n') {
            last_was_cr_ = false;
            chunk.remove_prefix(1);
            continue;
        }
        last_was_cr_ = false;
        const auto end = chunk.find_first_of("\r\n");
        const std::string_view piece = chunk.substr(0, end);
        if (line_.size() + piece.size() > max_line_bytes_) {
            // The stream is refused; release what the oversized line had taken.
            refused_ = true;
            std::string{}.swap(line_);
            break;
        }
        line_.append(piece);
        if (end == std::string_view::npos) {
            break;
        }
        last_was_cr_ = chunk[end] == '\r';
        chunk.remove_prefix(end + 1);
        on_line(line_);
        line_.clear();  // keeps its capacity for the next line
    }
    return !refused_;
}

void sse_parser::finish() {
    if (refused_) {
        return;
    }
    // A last line cut off before its line end still counts: the server closed the stream.
    if (!line_.empty()) {
        on_line(line_);
        line_.clear();
    }
    last_was_cr_ = false;
    dispatch();
}

void sse_parser::on_line(std::string_view line) {
    if (!bom_checked_) {
        bom_checked_ = true;
        if (line.starts_with(byte_order_mark)) {
            line.remove_prefix(byte_order_mark.size());
        }
    }
    if (line.empty()) {
        dispatch();
        return;
    }
    if (line.front() == ':') {
        ++comments_;
        return;
    }
    const auto [name, value] = split_field(line);
    if (name == "data") {
        if (has_data_) {
            pending_.data.push_back('\n');
        }
        pending_.data.append(value);
        has_data_ = true;
    } else if (name == "event") {
        pending_.event.assign(value);
    } else if (name == "id") {
        // WHATWG: an id with a NUL is ignored, so a hostile id cannot truncate ours.
        if (value.find('\0') == std::string_view::npos) {
            pending_.id.assign(value);
        }
    }
    // "retry" and unknown fields are ignored: the client does its own reconnect policy.
}

void sse_parser::dispatch() {
    if (has_data_) {
        sse_event event{pending_.event.empty() ? std::string{"message"} : pending_.event,
                        std::move(pending_.data), pending_.id};
        if (on_event_) {
            on_event_(event);
        }
    }
    // The event name and data belong to one event; the last event id carries over (WHATWG).
    pending_.event.clear();
    pending_.data.clear();
    has_data_ = false;
}

}  // namespace polylogue::http
