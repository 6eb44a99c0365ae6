#pragma once
// A provider reached over HTTP: adapter (pure) + the shared client + retries. One instance per
// configured endpoint, shared by every room, so its caps are the endpoint's caps; with a fleet
// budget they are the whole fleet's too.

#include <deque>
#include <memory>
#include <random>

#include "polylogue/http/async_semaphore.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/providers/provider.hpp"
#include "polylogue/providers/shared_budget.hpp"

namespace polylogue::providers {

class http_provider final : public provider {
  public:
    http_provider(const config::provider& endpoint, http::client& client,
                  std::unique_ptr<api_adapter> adapter, std::optional<std::string> api_key,
                  shared_budget* fleet_budget = nullptr);

    boost::asio::awaitable<completion_outcome> complete(completion_request request) override;

  private:
    struct attempt_result {
        completion_outcome outcome;
        std::optional<std::chrono::milliseconds> server_asked;
    };

    // What one attempt holds until it ends, however it ends: this process's slot, then the
    // fleet's (an empty ticket without a fleet budget).
    struct slot {
        http::async_semaphore::permit local;
        shared_budget::ticket fleet;
    };

    // One try, in a slot of its own. req and on_text belong to complete()'s frame, which
    // outlives the attempt.
    boost::asio::awaitable<attempt_result> attempt(
        const http::request* req, const std::function<void(std::string_view)>* on_text);
    // A slot of max_in_flight, in turn, within the requests_per_minute budget, here and then
    // across the fleet; errc::cancelled when the wait for the fleet's was cancelled.
    boost::asio::awaitable<result<slot>> take_slot();
    boost::asio::awaitable<void> wait_for_budget();
    http::request to_http(http_call call) const;
    api_failure finished(api_failure failure, int attempts) const;

    const config::provider& endpoint_;
    http::client& client_;
    std::unique_ptr<api_adapter> adapter_;
    std::optional<std::string> api_key_;
    endpoint_settings settings_;
    http::async_semaphore in_flight_;
    shared_budget* fleet_budget_;
    std::deque<std::chrono::steady_clock::time_point> recent_starts_;  // for requests_per_minute
    std::mt19937 jitter_source_{std::random_device{}()};
};

}  // namespace polylogue::providers
