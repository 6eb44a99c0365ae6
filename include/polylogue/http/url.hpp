#pragma once
// Absolute http(s) URLs as the client uses them: pure parsing, no normalisation beyond what
// connecting needs.

#include <cstdint>
#include <string>
#include <string_view>

#include "polylogue/core/error.hpp"

namespace polylogue::http {

struct url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6 literals
    std::uint16_t port = 0;
    std::string target = "/";  // path and query, always starting with '/'
    std::string userinfo;      // "user:password" (proxies only), usually empty

    bool tls() const noexcept { return scheme == "https"; }
    // "host:port", bracketing IPv6 literals, as in a Host header or a CONNECT target
    std::string authority() const;
};

// Accepts http://host[:port][/path][?query]; errc::invalid_url otherwise.
result<url> parse_url(std::string_view text);

}  // namespace polylogue::http
