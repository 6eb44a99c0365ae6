#pragma once

#include "polylogue/providers/provider.hpp"

namespace polylogue::providers {

// Answers from the model's script, reply N for the member's N-th turn; past the end,
// errc::script_exhausted. With it the whole product runs offline.
class scripted_provider final : public provider {
  public:
    boost::asio::awaitable<completion_outcome> complete(completion_request request) override;
};

}  // namespace polylogue::providers
