#pragma once
// A provider answers one completion request for one model: a reply, or a failure that says
// what went wrong (after the provider's retries). Failures are values, never exceptions.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "polylogue/config/config.hpp"
#include "polylogue/core/error.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/providers/conversation.hpp"

namespace polylogue::providers {

struct completion_request {
    std::string room;
    const config::model* model = nullptr;  // catalogue entry; outlives the request
    std::optional<double> temperature;     // nullopt: the model takes none
    conversation messages;
    cache_hints cache;
    // How many replies this member has given in this room so far: the scripted provider's
    // cursor, derived from the transcript so that a restarted room resumes its script exactly.
    std::size_t replies_so_far = 0;
    // Streamed text as it arrives (may be empty). A retried attempt starts over: on_restart
    // is called first so watchers can drop the partial text.
    std::function<void(std::string_view)> on_text;
    std::function<void()> on_restart;
};

struct completion {
    std::string text;
    std::string reasoning;
    std::optional<token_usage> usage;
    int attempts = 1;
    std::chrono::milliseconds latency{0};
};

using completion_outcome = result<completion, api_failure>;

class provider {
  public:
    virtual ~provider() = default;
    virtual boost::asio::awaitable<completion_outcome> complete(completion_request request) = 0;
};

}  // namespace polylogue::providers
