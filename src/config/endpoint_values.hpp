#pragma once
// Strict checks of the values that describe a network endpoint: its URL, the variable holding its
// key, extra headers. Pure, like values.hpp; the config module does not depend on the HTTP one,
// so these accept a subset of what the HTTP client parses, never more.

#include <string>
#include <string_view>

namespace polylogue::config::detail {

struct base_url_check {
    std::string url;      // as written, without trailing '/'; empty when refused
    std::string host;     // ASCII lower case, without the brackets of an IPv6 literal
    std::string problem;  // a message starting "base_url"; empty when accepted
};

// http:// or https://, a host (a name, an IPv4 address or a bracketed IPv6 literal), an optional
// port 1..65535 and an optional path. No query or fragment (request paths are appended to the
// URL), no user or password (keys come from the environment), printable ASCII only.
base_url_check check_base_url(std::string_view text);

// [A-Za-z_][A-Za-z0-9_]*: the name of an environment variable.
bool is_env_name(std::string_view text) noexcept;

// An HTTP field name: one or more of A-Z a-z 0-9 and !#$%&'*+-.^_`|~ (RFC 9110 "token").
bool is_header_name(std::string_view text) noexcept;

// An HTTP field value: no control characters but tab, so no line break can end the header early.
bool is_header_value(std::string_view text) noexcept;

}  // namespace polylogue::config::detail
