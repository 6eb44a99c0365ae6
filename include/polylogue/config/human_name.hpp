#pragma once
// The rule for a human's name in a room: the opening's speaker in the configuration, and the
// speaker of a message sent over the control API. One rule, so that neither door lets in a name
// the other refuses. Pure.

#include <string_view>

namespace polylogue::config {

enum class human_name_verdict {
    ok,
    malformed,  // not 1..64 characters, a control character, or a space at either end
    ai_slot,    // reads as an AI's slot: AI-1, ai 2, AI‐3 (U+2010), ＡＩ４, "AI-1 (Model)"
    reserved,   // "Polylogue", the name the room's own notices go by
};

// Separators (spaces, dashes, underscores, dots, their Unicode look-alikes and invisible
// characters) are ignored and look-alike letters and digits (Greek, Cyrillic, full-width) are
// folded before the name is compared with "AI" followed by digits, and with "Polylogue".
human_name_verdict check_human_name(std::string_view name);

}  // namespace polylogue::config
