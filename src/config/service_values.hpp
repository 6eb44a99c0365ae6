#pragma once
// Strict checks of the values that describe the daemon as a service: the control API's listen
// address and the sizes of bodies, headers and log files. Pure, like values.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polylogue::config::detail {

// "65536", "64KiB", "10MiB", "1GiB", "512B": a whole number of bytes, or digits directly followed
// by B, KiB, MiB or GiB (powers of 1024). Decimal units (KB, MB) are refused rather than guessed
// at, as are fractions, signs and spaces. nullopt when malformed or above 2^63.
std::optional<std::uint64_t> parse_size(std::string_view text) noexcept;

// The shortest way parse_size reads back: "64KiB", "10MiB", "1000B".
std::string size_text(std::uint64_t bytes);

struct listen_check {
    std::string host;       // the numeric address, without the brackets of an IPv6 one
    int port = 0;           // 0..65535; 0 asks the system for a free port
    bool loopback = false;  // 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104
    std::string problem;    // a message starting "listen"; empty when accepted
};

// HOST:PORT where HOST is a numeric IPv4 address or a bracketed IPv6 one ("127.0.0.1:7475",
// "[::1]:7475"). Names (localhost) are refused: a name may resolve to more than one address,
// and to a non-loopback one, which would defeat the rule that only loopback goes without a token.
listen_check check_listen(std::string_view text);

// A host as a Host header names it, without a port: a DNS name ("polylogue.example.com", labels
// of letters, digits and '-'), an IPv4 address, or a bracketed IPv6 one ("[fd00::1]").
bool is_host_name(std::string_view text);

}  // namespace polylogue::config::detail
