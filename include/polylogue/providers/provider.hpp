#pragma once
// A provider answers one completion request for one model. Expected failures (exhausted script,
// and in the network adapters timeouts, HTTP errors...) are values, never exceptions.

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/core/error.hpp"
#include "polylogue/providers/conversation.hpp"

namespace polylogue::providers {

struct completion_request {
    std::string room;
    const config::model* model = nullptr;  // catalogue entry; outlives the request
    std::optional<double> temperature;     // nullopt: the model takes none
    conversation messages;
    // How many replies this member has given in this room so far: the scripted provider's
    // cursor, derived from the transcript so that a restarted room resumes its script exactly.
    std::size_t replies_so_far = 0;
};

struct completion {
    std::string text;
};

class provider {
  public:
    virtual ~provider() = default;
    virtual boost::asio::awaitable<result<completion>> complete(completion_request request) = 0;
};

// The provider for a configured endpoint. Throws std::invalid_argument for a kind this build
// cannot serve (a startup error, refused before any room runs).
std::unique_ptr<provider> make_provider(const config::provider& endpoint);

}  // namespace polylogue::providers
