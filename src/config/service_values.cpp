#include "config/service_values.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace polylogue::config::detail {
namespace {

struct size_unit {
    std::string_view suffix;
    std::uint64_t bytes;
};

// Largest first: size_text writes a size in the largest unit that divides it.
constexpr std::array<size_unit, 4> size_units{{{"GiB", std::uint64_t{1} << 30},
                                               {"MiB", std::uint64_t{1} << 20},
                                               {"KiB", std::uint64_t{1} << 10},
                                               {"B", 1}}};

constexpr std::uint64_t size_limit = std::uint64_t{1} << 63;

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

listen_check refused(std::string problem) {
    listen_check check;
    check.problem = std::move(problem);
    return check;
}

std::optional<int> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit)) {
        return std::nullopt;
    }
    int port = 0;
    for (const char c : text) {
        port = port * 10 + (c - '0');
    }
    return port <= 65535 ? std::optional{port} : std::nullopt;
}

bool is_loopback_v6(const in6_addr& address) {
    static constexpr std::array<unsigned char, 16> one{0, 0, 0, 0, 0, 0, 0, 0,
                                                       0, 0, 0, 0, 0, 0, 0, 1};
    // ::ffff:a.b.c.d, an IPv4 address seen through an IPv6 socket
    static constexpr std::array<unsigned char, 12> mapped_prefix{0, 0, 0, 0, 0,    0,
                                                                 0, 0, 0, 0, 0xff, 0xff};
    const auto* bytes = address.s6_addr;
    if (std::memcmp(bytes, one.data(), one.size()) == 0) {
        return true;
    }
    return std::memcmp(bytes, mapped_prefix.data(), mapped_prefix.size()) == 0 && bytes[12] == 127;
}

// The host part: a bracketed IPv6 address or a dotted IPv4 one. Fills check or its problem.
void check_host(std::string_view host, bool bracketed, listen_check& check) {
    const std::string text{host};
    if (bracketed) {
        in6_addr address{};
        if (inet_pton(AF_INET6, text.c_str(), &address) != 1) {
            check.problem = "listen's address [" + text +
                            "] is not an IPv6 address (zone ids such as %eth0 are not accepted)";
            return;
        }
        check.loopback = is_loopback_v6(address);
    } else {
        in_addr address{};
        if (inet_pton(AF_INET, text.c_str(), &address) != 1) {
            check.problem = "listen's host '" + text +
                            "' must be a numeric address such as 127.0.0.1 or [::1], not a name";
            return;
        }
        check.loopback = (ntohl(address.s_addr) >> 24) == 127;
    }
    check.host = text;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) noexcept {
    const auto unit_start =
        std::find_if(text.begin(), text.end(), [](char c) { return !is_digit(c); });
    const std::string_view digits =
        text.substr(0, static_cast<std::size_t>(unit_start - text.begin()));
    const std::string_view suffix = text.substr(digits.size());
    std::uint64_t factor = suffix.empty() ? 1 : 0;
    for (const size_unit& unit : size_units) {
        if (suffix == unit.suffix) {
            factor = unit.bytes;
        }
    }
    // 19 digits stay below 2^64, so the loop cannot overflow before the limit check.
    if (digits.empty() || digits.size() > 19 || factor == 0) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (const char c : digits) {
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value > size_limit / factor) {
        return std::nullopt;
    }
    return value * factor;
}

std::string size_text(std::uint64_t bytes) {
    for (const size_unit& unit : size_units) {
        if (bytes != 0 && bytes % unit.bytes == 0) {
            return std::to_string(bytes / unit.bytes) + std::string{unit.suffix};
        }
    }
    return std::to_string(bytes) + "B";
}

listen_check check_listen(std::string_view text) {
    const std::string shape =
        "listen must be HOST:PORT with a numeric IPv4 address or a bracketed IPv6 one, such as "
        "127.0.0.1:7475 or \"[::1]:7475\"";
    std::string_view host;
    std::string_view rest;
    const bool bracketed = text.starts_with('[');
    if (bracketed) {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) {
            return refused("listen has an IPv6 address without its closing ']'");
        }
        host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
    } else {
        const std::size_t colon = text.find(':');
        if (colon != std::string_view::npos &&
            text.find(':', colon + 1) != std::string_view::npos) {
            return refused("listen's IPv6 address must be in brackets, such as \"[::1]:7475\"");
        }
        host = text.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
    }
    if (host.empty() || !rest.starts_with(':')) {
        return refused(shape);
    }
    const std::optional<int> port = parse_port(rest.substr(1));
    if (!port) {
        return refused("listen's port must be a number from 0 to 65535 (0 picks a free one)");
    }
    listen_check check;
    check_host(host, bracketed, check);
    check.port = *port;
    return check;
}

bool is_host_name(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        in6_addr address{};
        return inet_pton(AF_INET6, std::string{text.substr(1, text.size() - 2)}.c_str(),
                         &address) == 1;
    }
    if (text.empty() || text.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '.') {
            const bool hyphen_at_end = label > 0 && text[i - 1] == '-';
            if (label == 0 || label > 63 || hyphen_at_end || text[i - label] == '-') {
                return false;
            }
            label = 0;
            continue;
        }
        const char c = text[i];
        const bool fits =
            is_digit(c) || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!fits) {
            return false;
        }
        ++label;
    }
    return true;
}

}  // namespace polylogue::config::detail
