#pragma once
// The headers of a JSON request to a provider or tool backend, in one order for all of them:
// the adapter's own (its key, its API version), then content-type, then the endpoint's
// configured extra headers (a proxy's routing header, OpenRouter's HTTP-Referer). Pure.

#include <utility>

#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {

inline header_list json_request_headers(header_list own, const header_list& extra) {
    header_list headers = std::move(own);
    headers.reserve(headers.size() + 1 + extra.size());
    headers.emplace_back("content-type", "application/json");
    headers.insert(headers.end(), extra.begin(), extra.end());
    return headers;
}

// A key sent as name: value, or nothing when there is no key (a local server).
inline header_list key_header(const char* name, const std::string& key, std::string prefix = {}) {
    if (key.empty()) {
        return {};
    }
    return {{name, std::move(prefix) + key}};
}

}  // namespace polylogue::providers
