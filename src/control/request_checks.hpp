#pragma once
// What the control API checks about a request before any route sees it, beside the token: that
// it is addressed to this daemon (Host, against DNS rebinding), that a browser sent it from the
// daemon's own pages (Origin, against cross-site requests), that its body is of a type no HTML
// form can send (Content-Type), and the bearer credentials it carries. Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polylogue::control {

// The names a request may be addressed to.
struct host_rules {
    std::string listen_host;  // the listen address's host, lower case: "127.0.0.1", "[::1]"
    bool loopback = false;    // listen_host is a loopback address
    bool wildcard = false;    // 0.0.0.0 or [::]: every address of the machine
    std::vector<std::string> allowed_hosts;  // control.allowed_hosts, lower case
};

// listen: "HOST:PORT" as control.listen writes it.
host_rules rules_for(std::string_view listen, std::vector<std::string> allowed_hosts);

// The host of a Host header, lower case and without the port ("[::1]" keeps its brackets);
// empty when the header is malformed.
std::string host_of(std::string_view host_header);

// Whether the Host header names this daemon: its listen host; on a loopback listen also
// "localhost" and any loopback address; on a wildcard listen any IP address (a rebinding page is
// reached by a name, never by an address); and any name of allowed_hosts. The port is not
// compared: an SSH tunnel or a proxy changes it.
bool host_allowed(std::string_view host_header, const host_rules& rules);

// Whether a browser's Origin header names the site the request is addressed to: its scheme's
// host and port are the Host header's, or its host is one of allowed_hosts. "null" never is.
bool origin_allowed(std::string_view origin, std::string_view host_header, const host_rules& rules);

// "application/json" from "Application/JSON; charset=utf-8".
std::string media_type(std::string_view content_type);

// The credentials of an "Authorization: Bearer TOKEN" header, the scheme in any case (RFC 9110
// 11.1); nullopt for another scheme or none.
std::optional<std::string_view> bearer_credentials(std::string_view authorization);

}  // namespace polylogue::control
