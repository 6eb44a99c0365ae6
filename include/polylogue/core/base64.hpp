#pragma once
// Byte encodings met on the wire: base64 (image payloads), data URLs (images inlined in JSON)
// and URL percent-encoding (query strings). All pure and total.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace polylogue::core {

// Standard alphabet (RFC 4648 section 4), always padded.
std::string base64_encode(std::string_view bytes);
// The same, appended to out: megabytes of image go into a request body without a copy.
void base64_append(std::string& out, std::string_view bytes);

// Standard alphabet; padding is optional and ASCII whitespace (line breaks included) is
// ignored. Any other character, '=' before the end, or a length no encoder could produce gives
// nullopt.
std::optional<std::string> base64_decode(std::string_view text);

// "data:image/png;base64,iVBOR..." -> {"image/png", decoded bytes}. The media type comes back
// lower-cased and without parameters ("text/plain" when the URL names none); data without
// ";base64" is percent-decoded. nullopt when the text is not a data URL or its data is invalid.
std::optional<std::pair<std::string, std::string>> parse_data_url(std::string_view url);

// RFC 3986: unreserved characters (ALPHA DIGIT - . _ ~) stay, every other byte becomes %XX with
// upper-case hex; a space is %20, never '+'.
std::string url_encode_component(std::string_view text);

}  // namespace polylogue::core
