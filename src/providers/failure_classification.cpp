#include <algorithm>

#include "polylogue/core/text.hpp"
#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {
namespace {

constexpr int retriable_statuses[] = {408, 409, 429, 500, 502, 503, 504, 529};

std::optional<bool> should_retry_header(const header_list& headers) {
    for (const auto& [name, value] : headers) {
        if (core::ascii_lower(name) == "x-should-retry") {
            const std::string lowered = core::ascii_lower(value);
            if (lowered == "true") {
                return true;
            }
            if (lowered == "false") {
                return false;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(failure_kind kind) noexcept {
    switch (kind) {
        case failure_kind::retriable:
            return "retriable";
        case failure_kind::final:
            return "final";
        case failure_kind::authentication:
            return "authentication";
        case failure_kind::blocked:
            return "blocked";
        case failure_kind::exhausted:
            return "exhausted";
    }
    return "unknown";
}

api_failure classify_status(int status, const header_list& headers) {
    api_failure failure;
    failure.http_status = status;
    if (status == 401 || status == 403) {
        failure.kind = failure_kind::authentication;
        return failure;
    }
    const bool retriable_status =
        std::find(std::begin(retriable_statuses), std::end(retriable_statuses), status) !=
        std::end(retriable_statuses);
    // The server's own word beats the status: Anthropic and OpenAI send x-should-retry.
    const bool retriable = should_retry_header(headers).value_or(retriable_status);
    failure.kind = retriable ? failure_kind::retriable : failure_kind::final;
    return failure;
}

}  // namespace polylogue::providers
