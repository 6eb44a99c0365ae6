#pragma once
// Human-readable forms of records: the chat log (`tail -f`), `transcript --format text|markdown`,
// and the one-line orchestrator notices the models see. Pure functions.

#include <string>
#include <string_view>

#include "polylogue/core/record.hpp"

namespace polylogue::transcript {

// One sentence for every record that is not a message, e.g.
// `AI-5 ran !add_ai "Llama 3": rejected: maximum of 5 AIs already reached.`
std::string describe(const core::record& r);

// The emoji that marks a record that is not a message in the chat log and the exports, e.g. ✨
// for an !add_ai outcome, ⛔ for a rejected command, ⚠ for a failed turn.
std::string_view record_emoji(const core::record& r) noexcept;

// The chat-log form, ending in a newline: a header line and the text for messages, one line
// with an emoji for everything else.
std::string format_text(const core::record& r);

// Markdown: messages as a bold header and their text, everything else as a quoted line; an image
// record is also shown as an image, linked by its path relative to data_dir.
std::string format_markdown(const core::record& r);

}  // namespace polylogue::transcript
