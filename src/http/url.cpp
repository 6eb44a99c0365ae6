#include "polylogue/http/url.hpp"

#include <charconv>

#include "polylogue/core/text.hpp"

namespace polylogue::http {
namespace {

result<std::uint16_t> parse_port(std::string_view digits) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
        return errc::invalid_url;
    }
    return static_cast<std::uint16_t>(value);
}

// Splits "host", "host:port", "[::1]:port" into host and port.
result<void> split_host_port(std::string_view authority, url& out) {
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return errc::invalid_url;
        }
        out.host = std::string{authority.substr(1, close - 1)};
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && (!rest.starts_with(':') || rest.size() == 1)) {
            return errc::invalid_url;
        }
        port_text = rest.empty() ? rest : rest.substr(1);
    } else {
        const auto colon = authority.rfind(':');
        out.host = std::string{authority.substr(0, colon)};
        port_text =
            colon == std::string_view::npos ? std::string_view{} : authority.substr(colon + 1);
        if (colon != std::string_view::npos && port_text.empty()) {
            return errc::invalid_url;
        }
    }
    if (out.host.empty()) {
        return errc::invalid_url;
    }
    if (!port_text.empty()) {
        auto port = parse_port(port_text);
        if (!port) {
            return port.error();
        }
        out.port = *port;
    }
    return {};
}

}  // namespace

std::string url::authority() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

result<url> parse_url(std::string_view text) {
    url out;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        return errc::invalid_url;
    }
    out.scheme = core::ascii_lower(text.substr(0, scheme_end));
    if (out.scheme != "http" && out.scheme != "https") {
        return errc::invalid_url;
    }
    out.port = out.tls() ? 443 : 80;
    auto rest = text.substr(scheme_end + 3);
    const auto path_start = rest.find_first_of("/?#");
    auto authority = rest.substr(0, path_start);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        out.userinfo = std::string{authority.substr(0, at)};
        authority = authority.substr(at + 1);
    }
    if (auto ok = split_host_port(authority, out); !ok) {
        return ok.error();
    }
    if (path_start != std::string_view::npos) {
        auto target = rest.substr(path_start);
        target = target.substr(0, target.find('#'));
        out.target = target.starts_with('/') ? std::string{target} : "/" + std::string{target};
    }
    for (const char c : out.host + out.target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return errc::invalid_url;  // no spaces or control bytes may reach a request line
        }
    }
    return out;
}

}  // namespace polylogue::http
