#include <stdexcept>

#include "polylogue/providers/provider.hpp"
#include "scripted_provider.hpp"

namespace polylogue::providers {

std::unique_ptr<provider> make_provider(const config::provider& endpoint) {
    switch (endpoint.kind) {
        case config::provider_kind::scripted:
            return std::make_unique<scripted_provider>();
        case config::provider_kind::openai:
        case config::provider_kind::anthropic:
        case config::provider_kind::gemini:
            break;
    }
    throw std::invalid_argument{"provider '" + endpoint.name +
                                "': network providers are not available in this build yet"};
}

}  // namespace polylogue::providers
