#include "scripted_provider.hpp"

namespace polylogue::providers {

boost::asio::awaitable<completion_outcome> scripted_provider::complete(completion_request request) {
    const auto& replies = request.model->script_replies;
    if (request.replies_so_far >= replies.size()) {
        co_return api_failure{failure_kind::exhausted, 0, "script_exhausted",
                              "has no scripted replies left"};
    }
    completion reply;
    reply.text = replies[request.replies_so_far];
    if (request.on_text) {
        request.on_text(reply.text);
    }
    co_return reply;
}

}  // namespace polylogue::providers
