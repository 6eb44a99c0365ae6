#include "http_provider.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

#include "polylogue/providers/provider_factory.hpp"
#include "polylogue/providers/retry_policy.hpp"

namespace polylogue::providers {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using steady_clock = std::chrono::steady_clock;

namespace {

api_failure transport_failure(const boost::system::error_code& error) {
    // A certificate that does not verify, a URL we cannot use or an answer over the size limit
    // will not heal by retrying.
    const bool permanent = error == errc::tls_failed || error == errc::invalid_url ||
                           error == errc::response_too_large;
    return {permanent ? failure_kind::final : failure_kind::retriable, 0, "transport",
            error.message()};
}

asio::awaitable<void> sleep_for(milliseconds wait) {
    asio::steady_timer timer{co_await asio::this_coro::executor, wait};
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

http_provider::http_provider(const config::provider& endpoint, http::client& client,
                             std::unique_ptr<api_adapter> adapter,
                             std::optional<std::string> api_key, shared_budget* fleet_budget)
    : endpoint_{endpoint},
      client_{client},
      adapter_{std::move(adapter)},
      api_key_{std::move(api_key)},
      in_flight_{static_cast<std::size_t>(std::max(1, endpoint.max_in_flight))},
      fleet_budget_{fleet_budget} {
    settings_.base_url = endpoint.base_url;
    settings_.api_key = api_key_.value_or("");
    settings_.extra_headers = endpoint.headers;
    settings_.max_tokens_field = endpoint.max_tokens_field;
    settings_.anthropic_version = endpoint.anthropic_version;
}

http::request http_provider::to_http(http_call call) const {
    http::request req;
    req.method = std::move(call.method);
    req.url = settings_.base_url + call.target;
    req.headers = std::move(call.headers);
    req.body = std::move(call.body);
    req.ca_file = endpoint_.ca_file.string();
    req.connect_timeout = endpoint_.timeouts.connect;
    req.header_timeout = endpoint_.timeouts.first_byte;
    req.idle_timeout = endpoint_.timeouts.idle;
    req.total_timeout = endpoint_.timeouts.total;
    return req;
}

api_failure http_provider::finished(api_failure failure, int attempts) const {
    failure.attempts = attempts;
    return redact(std::move(failure), settings_.api_key);
}

asio::awaitable<completion_outcome> http_provider::complete(completion_request request) {
    if (!endpoint_.api_key_env.empty() && !api_key_) {
        co_return api_failure{failure_kind::authentication, 0, "missing_api_key",
                              "the environment variable " + endpoint_.api_key_env + " is not set"};
    }
    api_request api;
    api.model_id = request.model->id;
    api.messages = std::move(request.messages);
    api.cache = std::move(request.cache);
    api.temperature = request.temperature;
    api.max_tokens = request.model->max_tokens;
    // Built once and kept for every attempt: the body is never copied. The messages are not
    // needed past it, and may hold megabytes of images.
    const http::request req = to_http(adapter_->build_request(api, settings_));
    api.messages = {};
    const auto started = steady_clock::now();
    milliseconds waited{0};
    for (int attempt_number = 1;; ++attempt_number) {
        auto tried = co_await attempt(&req, &request.on_text);
        if (tried.outcome) {
            tried.outcome->attempts = attempt_number;
            tried.outcome->latency =
                std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
            co_return std::move(*tried.outcome);
        }
        const api_failure failure = tried.outcome.error();
        const double jitter = std::uniform_real_distribution<double>{0.0, 1.0}(jitter_source_);
        const auto next = decide_retry(failure, attempt_number, tried.server_asked, waited,
                                       endpoint_.retry, jitter);
        if (!next.retry) {
            co_return finished(failure, attempt_number);
        }
        if (request.on_restart) {
            request.on_restart();
        }
        co_await sleep_for(next.wait);
        waited += next.wait;
    }
}

asio::awaitable<http_provider::attempt_result> http_provider::attempt(
    const http::request* req, const std::function<void(std::string_view)>* on_text) {
    // Held until the attempt ends, however it ends.
    const auto held = co_await take_slot();
    if (!held) {
        co_return attempt_result{api_failure{failure_kind::final, 0, "cancelled",
                                             "the wait for a fleet slot was cancelled"},
                                 std::nullopt};
    }
    auto decoder = adapter_->make_stream_decoder();
    http::sse_parser events{[&decoder, on_text](const http::sse_event& event) {
        decoder->on_event(event);
        if (auto fresh = decoder->take_new_text(); !fresh.empty() && *on_text) {
            (*on_text)(fresh);
        }
    }};
    bool oversized_line = false;
    auto answer = co_await client_.send_kept(
        req, [&](std::string_view chunk) { oversized_line |= !events.feed(chunk); });
    if (!answer) {
        co_return attempt_result{transport_failure(answer.error()), std::nullopt};
    }
    if (answer->status / 100 != 2) {
        co_return attempt_result{
            adapter_->classify_error(answer->status, answer->headers, answer->body),
            parse_retry_after(answer->headers, std::chrono::system_clock::now())};
    }
    if (oversized_line) {
        co_return attempt_result{api_failure{failure_kind::retriable, 200, "malformed_stream",
                                             "a streamed line exceeded the size limit"},
                                 std::nullopt};
    }
    events.finish();
    decoder->finish();
    const decoded_reply& reply = decoder->reply();
    if (reply.failure) {
        co_return attempt_result{*reply.failure, std::nullopt};
    }
    completion done;
    done.text = reply.text;
    done.reasoning = reply.reasoning;
    done.usage = reply.usage;
    co_return attempt_result{std::move(done), std::nullopt};
}

asio::awaitable<result<http_provider::slot>> http_provider::take_slot() {
    // No deadline: a turn waits its turn; the call's own deadline starts once it has a slot.
    auto local = co_await in_flight_.acquire(steady_clock::time_point::max());
    if (!local) {
        throw std::logic_error{"a slot without a deadline cannot time out"};
    }
    co_await wait_for_budget();
    if (fleet_budget_ == nullptr) {
        co_return slot{std::move(*local), {}};
    }
    // After the local slot and budget, so that at most max_in_flight calls of this process wait
    // on the fleet's at once.
    auto fleet = co_await fleet_budget_->acquire(
        endpoint_.name, {endpoint_.max_in_flight, endpoint_.requests_per_minute},
        steady_clock::time_point::max());
    if (!fleet) {
        co_return fleet.error();
    }
    co_return slot{std::move(*local), std::move(*fleet)};
}

asio::awaitable<void> http_provider::wait_for_budget() {
    if (endpoint_.requests_per_minute <= 0) {
        co_return;
    }
    for (;;) {
        const auto now = steady_clock::now();
        while (!recent_starts_.empty() && now - recent_starts_.front() >= std::chrono::minutes{1}) {
            recent_starts_.pop_front();
        }
        if (static_cast<int>(recent_starts_.size()) < endpoint_.requests_per_minute) {
            recent_starts_.push_back(now);
            co_return;
        }
        // Until the oldest start leaves the minute window.
        co_await sleep_for(std::chrono::ceil<milliseconds>(recent_starts_.front() +
                                                           std::chrono::minutes{1} - now));
    }
}

}  // namespace polylogue::providers
