#include "polylogue/providers/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace polylogue::providers {
namespace {

using std::chrono::milliseconds;

std::optional<double> parse_number(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
        !std::isfinite(value) || value < 0) {
        return std::nullopt;
    }
    return value;
}

// IMF-fixdate, as HTTP dates are sent: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text) {
    std::tm parts{};
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    if (end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

std::string_view find_header(const header_list& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

}  // namespace

std::optional<milliseconds> parse_retry_after(const header_list& headers,
                                              std::chrono::system_clock::time_point now) {
    if (const auto ms = parse_number(find_header(headers, "retry-after-ms"))) {
        return milliseconds{static_cast<std::int64_t>(std::ceil(*ms))};
    }
    const std::string_view value = find_header(headers, "retry-after");
    if (value.empty()) {
        return std::nullopt;
    }
    if (const auto seconds = parse_number(value)) {
        return milliseconds{static_cast<std::int64_t>(std::ceil(*seconds * 1000.0))};
    }
    if (const auto when = parse_http_date(std::string{value})) {
        return std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(*when - now));
    }
    return std::nullopt;
}

milliseconds backoff_delay(int retry, const config::retry_settings& settings, double jitter) {
    const double doubling = std::pow(2.0, std::clamp(retry - 1, 0, 30));
    const double base = std::min(static_cast<double>(settings.initial_backoff.count()) * doubling,
                                 static_cast<double>(settings.max_backoff.count()));
    const double scaled = base * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0));
    return milliseconds{static_cast<std::int64_t>(scaled)};
}

retry_decision decide_retry(const api_failure& failure, int attempt,
                            std::optional<milliseconds> server_asked, milliseconds waited_so_far,
                            const config::retry_settings& settings, double jitter) {
    if (failure.kind != failure_kind::retriable || attempt >= settings.attempts) {
        return {};
    }
    const milliseconds wait = server_asked.value_or(backoff_delay(attempt, settings, jitter));
    if (waited_so_far + wait > settings.max_wait) {
        return {};  // the server asks for longer than we may wait: fail now, say why
    }
    return {true, wait};
}

}  // namespace polylogue::providers
