#pragma once
// A provider reached over HTTP: adapter (pure) + the shared client + retries. One instance per
// configured endpoint, shared by every room, so its caps are the endpoint's caps.

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <random>

#include "polylogue/http/client.hpp"
#include "polylogue/providers/api_adapter.hpp"
#include "polylogue/providers/provider.hpp"

namespace polylogue::providers {

class http_provider final : public provider {
  public:
    http_provider(const config::provider& endpoint, http::client& client,
                  std::unique_ptr<api_adapter> adapter, std::optional<std::string> api_key);

    boost::asio::awaitable<completion_outcome> complete(completion_request request) override;

  private:
    struct attempt_result {
        completion_outcome outcome;
        std::optional<std::chrono::milliseconds> server_asked;
    };

    boost::asio::awaitable<attempt_result> attempt(std::shared_ptr<const http_call> call,
                                                   std::function<void(std::string_view)> on_text);
    boost::asio::awaitable<void> take_slot();
    void give_back_slot();
    http::request to_http(const http_call& call) const;
    api_failure finished(api_failure failure, int attempts) const;

    const config::provider& endpoint_;
    http::client& client_;
    std::unique_ptr<api_adapter> adapter_;
    std::optional<std::string> api_key_;
    endpoint_settings settings_;
    int in_flight_ = 0;
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiting_;
    std::deque<std::chrono::steady_clock::time_point> recent_starts_;  // for requests_per_minute
    std::mt19937 jitter_source_{std::random_device{}()};
};

}  // namespace polylogue::providers
