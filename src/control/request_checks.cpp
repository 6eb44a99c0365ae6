#include "control/request_checks.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

#include "polylogue/core/text.hpp"

namespace polylogue::control {
namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

bool all_digits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The address a host names, brackets removed; nullopt for a name.
std::optional<boost::asio::ip::address> address_of(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string{host}, ec);
    if (ec) {
        return std::nullopt;
    }
    return address;
}

// ::ffff:127.0.0.1 is loopback too: an IPv4 address seen through an IPv6 socket.
bool is_loopback(const boost::asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        namespace ip = boost::asio::ip;
        return ip::make_address_v4(ip::v4_mapped, address.to_v6()).is_loopback();
    }
    return address.is_loopback();
}

bool is_allowed_name(std::string_view host, const host_rules& rules) {
    return std::find(rules.allowed_hosts.begin(), rules.allowed_hosts.end(), host) !=
           rules.allowed_hosts.end();
}

}  // namespace

host_rules rules_for(std::string_view listen, std::vector<std::string> allowed_hosts) {
    host_rules rules;
    rules.listen_host = core::ascii_lower(listen.substr(0, listen.rfind(':')));
    const auto address = address_of(rules.listen_host);
    rules.loopback = address && is_loopback(*address);
    rules.wildcard = address && address->is_unspecified();
    for (auto& name : allowed_hosts) {
        name = core::ascii_lower(name);
    }
    rules.allowed_hosts = std::move(allowed_hosts);
    return rules;
}

std::string host_of(std::string_view host_header) {
    const std::string_view value = trimmed(host_header);
    std::string_view host = value;
    std::string_view port;
    if (value.starts_with('[')) {
        const auto close = value.find(']');
        if (close == std::string_view::npos) {
            return {};
        }
        host = value.substr(0, close + 1);
        const std::string_view rest = value.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) {
            return {};
        }
        port = rest.empty() ? rest : rest.substr(1);
    } else if (const auto colon = value.rfind(':'); colon != std::string_view::npos) {
        host = value.substr(0, colon);
        port = value.substr(colon + 1);
    }
    const bool bad_char = host.find_first_of(" \t/?#@,") != std::string_view::npos;
    if (host.empty() || bad_char || !all_digits(port) || port.size() > 5) {
        return {};
    }
    return core::ascii_lower(host);
}

bool host_allowed(std::string_view host_header, const host_rules& rules) {
    const std::string host = host_of(host_header);
    if (host.empty()) {
        return false;
    }
    if (host == rules.listen_host || is_allowed_name(host, rules)) {
        return true;
    }
    const auto address = address_of(host);
    if (rules.wildcard) {
        return address.has_value() || host == "localhost";
    }
    if (rules.loopback) {
        return host == "localhost" || (address && is_loopback(*address));
    }
    return false;
}

bool origin_allowed(std::string_view origin, std::string_view host_header,
                    const host_rules& rules) {
    const std::string lower = core::ascii_lower(trimmed(origin));
    std::string_view authority = lower;
    std::string_view default_port;
    if (authority.starts_with("http://")) {
        authority.remove_prefix(7);
        default_port = ":80";
    } else if (authority.starts_with("https://")) {
        authority.remove_prefix(8);
        default_port = ":443";
    } else {
        return false;  // "null", a file: or extension page, or garbage
    }
    if (authority.empty() || authority.find('/') != std::string_view::npos) {
        return false;
    }
    if (is_allowed_name(host_of(authority), rules)) {
        return true;
    }
    std::string host = core::ascii_lower(trimmed(host_header));
    if (authority.ends_with(default_port)) {
        authority.remove_suffix(default_port.size());
    }
    if (std::string_view{host}.ends_with(default_port)) {
        host.resize(host.size() - default_port.size());
    }
    return !host.empty() && authority == host;
}

std::string media_type(std::string_view content_type) {
    return core::ascii_lower(trimmed(content_type.substr(0, content_type.find(';'))));
}

std::optional<std::string_view> bearer_credentials(std::string_view authorization) {
    const std::string_view value = trimmed(authorization);
    const auto space = value.find_first_of(" \t");
    if (space == std::string_view::npos || core::ascii_lower(value.substr(0, space)) != "bearer") {
        return std::nullopt;
    }
    const std::string_view credentials = trimmed(value.substr(space));
    if (credentials.empty()) {
        return std::nullopt;
    }
    return credentials;
}

}  // namespace polylogue::control
