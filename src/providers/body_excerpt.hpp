#pragma once
// The one rule for quoting untrusted text (a provider's or tool's error page, a body we could not
// read, a search hit's snippet) in a message that ends up in records, logs and the API's JSON.
// Pure and bounded: however large the text, only its first max_bytes + 3 bytes past the leading
// white space are read.

#include <cstddef>
#include <string>
#include <string_view>

namespace polylogue::providers {

// How much of a body an error message quotes: enough to recognise an HTML error page or a
// proxy's complaint, short enough to sit in a log line.
inline constexpr std::size_t body_excerpt_bytes = 200;

// The start of text with white space trimmed at both ends, at most max_bytes bytes long and
// valid UTF-8: invalid sequences become U+FFFD, NUL bytes are dropped, and the cut never splits
// a character.
std::string excerpt(std::string_view text, std::size_t max_bytes);

inline std::string body_excerpt(std::string_view body) {
    return excerpt(body, body_excerpt_bytes);
}

}  // namespace polylogue::providers
