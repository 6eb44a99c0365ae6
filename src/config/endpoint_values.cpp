#include "config/endpoint_values.hpp"

#include <algorithm>
#include <optional>

#include "config/values.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

bool is_alnum(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Printable ASCII without space: what may reach a request line unencoded.
bool is_url_char(char c) noexcept {
    return c > 0x20 && c < 0x7f;
}

base_url_check refused(std::string problem) {
    return {{}, {}, std::move(problem)};
}

struct authority_parts {
    std::string_view host;
    std::optional<std::string_view> port;  // the text after ':', when there is a ':'
    std::string problem;
};

// Splits "host", "host:port", "[v6]" or "[v6]:port".
authority_parts split_authority(std::string_view authority) {
    authority_parts parts;
    std::string_view after_host;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            parts.problem = "base_url has an IPv6 address without its closing ']'";
            return parts;
        }
        parts.host = authority.substr(1, close - 1);
        after_host = authority.substr(close + 1);
    } else {
        const std::size_t colon = authority.find(':');
        parts.host = authority.substr(0, colon);
        after_host = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon);
    }
    if (after_host.starts_with(':')) {
        parts.port = after_host.substr(1);
    } else if (!after_host.empty()) {
        parts.problem = "base_url has text after its IPv6 address; expected ':' and a port, or '/'";
    }
    return parts;
}

std::string host_problem(std::string_view host, bool bracketed) {
    if (host.empty()) {
        return "base_url has no host";
    }
    if (bracketed) {
        const auto v6_char = [](char c) { return is_hex(c) || c == ':' || c == '.'; };
        return std::all_of(host.begin(), host.end(), v6_char)
                   ? std::string{}
                   : "base_url's IPv6 address must be hexadecimal digits, ':' and '.'";
    }
    const auto host_char = [](char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; };
    return std::all_of(host.begin(), host.end(), host_char)
               ? std::string{}
               : "base_url's host must be letters, digits, '-', '_' and '.' (an "
                 "internationalized name in its xn-- form), or an IPv6 address in brackets";
}

// Checks "host" or "host:port" (host possibly a bracketed IPv6 literal); sets out.host.
std::string authority_problem(std::string_view authority, base_url_check& out) {
    authority_parts parts = split_authority(authority);
    if (parts.problem.empty()) {
        parts.problem = host_problem(parts.host, authority.starts_with('['));
    }
    if (!parts.problem.empty()) {
        return parts.problem;
    }
    if (parts.port) {
        const bool digits_only =
            !parts.port->empty() && std::all_of(parts.port->begin(), parts.port->end(),
                                                [](char c) { return c >= '0' && c <= '9'; });
        const std::optional<long long> number =
            digits_only ? parse_integer(*parts.port) : std::nullopt;
        if (!number || *number < 1 || *number > 65535) {
            return "base_url's port must be a number from 1 to 65535";
        }
    }
    out.host = core::ascii_lower(parts.host);
    return {};
}

}  // namespace

base_url_check check_base_url(std::string_view text) {
    if (!std::all_of(text.begin(), text.end(), is_url_char)) {
        return refused(
            "base_url must be printable ASCII without spaces (percent-encode anything else)");
    }
    const std::string lower = core::ascii_lower(text.substr(0, 8));
    const std::size_t scheme_length =
        lower.starts_with("https://") ? 8 : (lower.starts_with("http://") ? 7 : 0);
    if (scheme_length == 0) {
        return refused("base_url must start with http:// or https://");
    }
    if (text.find('#') != std::string_view::npos) {
        return refused("base_url must not have a fragment ('#...')");
    }
    if (text.find('?') != std::string_view::npos) {
        return refused("base_url must not have a query ('?...'): request paths are appended to it");
    }
    const std::string_view rest = text.substr(scheme_length);
    const std::string_view authority = rest.substr(0, rest.find('/'));
    // Do not echo the value: what precedes '@' may be a password.
    if (authority.find('@') != std::string_view::npos) {
        return refused(
            "base_url must not hold a user name or password; keys are read from the environment "
            "variable api_key_env names");
    }
    base_url_check out;
    if (std::string problem = authority_problem(authority, out); !problem.empty()) {
        return refused(std::move(problem));
    }
    std::string_view url = text;
    while (url.size() > scheme_length + authority.size() && url.ends_with('/')) {
        url.remove_suffix(1);
    }
    out.url = std::string{url};
    return out;
}

bool is_env_name(std::string_view text) noexcept {
    const auto word = [](char c) { return is_alnum(c) || c == '_'; };
    return !text.empty() && !(text.front() >= '0' && text.front() <= '9') &&
           std::all_of(text.begin(), text.end(), word);
}

bool is_header_name(std::string_view text) noexcept {
    constexpr std::string_view symbols = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
        return is_alnum(c) || symbols.find(c) != std::string_view::npos;
    });
}

bool is_header_value(std::string_view text) noexcept {
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t') || byte == 0x7f;
    });
}

}  // namespace polylogue::config::detail
