#include "polylogue/http/proxy.hpp"

#include <cstdlib>

#include "polylogue/core/text.hpp"

namespace polylogue::http {
namespace {

std::string variable(const char* lower, const char* upper) {
    if (const char* value = std::getenv(lower); value != nullptr && *value != '\0') {
        return value;
    }
    const char* value = std::getenv(upper);
    return value != nullptr ? value : "";
}

std::optional<url> proxy_url(const std::string& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    // "proxy:3128" without a scheme means http://proxy:3128, as curl reads it.
    auto parsed = parse_url(text.find("://") == std::string::npos ? "http://" + text : text);
    if (!parsed || parsed->tls()) {
        return std::nullopt;  // a TLS connection to the proxy itself is not supported
    }
    return *parsed;
}

bool excluded(const std::vector<std::string>& no_proxy, const std::string& host) {
    const std::string lowered = core::ascii_lower(host);
    for (const auto& entry : no_proxy) {
        if (entry == "*" || lowered == entry) {
            return true;
        }
        const std::string suffix = entry.starts_with('.') ? entry : "." + entry;
        if (lowered.size() > suffix.size() && lowered.ends_with(suffix)) {
            return true;
        }
    }
    return false;
}

}  // namespace

proxy_settings make_proxy_settings(const std::string& https_proxy, const std::string& http_proxy,
                                   const std::string& no_proxy) {
    proxy_settings settings;
    settings.https_proxy = proxy_url(https_proxy);
    settings.http_proxy = proxy_url(http_proxy);
    std::size_t start = 0;
    while (start <= no_proxy.size()) {
        const auto comma = no_proxy.find(',', start);
        std::string entry = core::ascii_lower(no_proxy.substr(start, comma - start));
        entry.erase(0, entry.find_first_not_of(" \t"));
        entry.erase(entry.find_last_not_of(" \t") + 1);
        if (const auto colon = entry.rfind(':');
            colon != std::string::npos && entry.find(':') == colon) {
            entry.erase(colon);  // "host:port" entries: match the host
        }
        if (!entry.empty()) {
            settings.no_proxy.push_back(std::move(entry));
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return settings;
}

proxy_settings proxy_settings::from_environment() {
    return make_proxy_settings(variable("https_proxy", "HTTPS_PROXY"),
                               variable("http_proxy", "HTTP_PROXY"),
                               variable("no_proxy", "NO_PROXY"));
}

std::optional<url> proxy_settings::for_target(const url& target) const {
    if (excluded(no_proxy, target.host)) {
        return std::nullopt;
    }
    return target.tls() ? https_proxy : http_proxy;
}

}  // namespace polylogue::http
