#include "scripted_provider.hpp"

namespace polylogue::providers {

boost::asio::awaitable<result<completion>> scripted_provider::complete(completion_request request) {
    const auto& replies = request.model->script_replies;
    if (request.replies_so_far >= replies.size()) {
        co_return result<completion>{errc::script_exhausted};
    }
    co_return completion{replies[request.replies_so_far]};
}

}  // namespace polylogue::providers
