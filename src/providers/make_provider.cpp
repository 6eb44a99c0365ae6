#include <cstdlib>

#include "http_provider.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "scripted_provider.hpp"

namespace polylogue::providers {

environment_reader process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string{name}.c_str());
        if (value == nullptr || *value == '\0') {
            return std::nullopt;
        }
        return std::string{value};
    };
}

result<std::unique_ptr<provider>> make_provider(const config::provider& endpoint,
                                                const provider_context& context) {
    const auto key =
        endpoint.api_key_env.empty() ? std::nullopt : context.environment(endpoint.api_key_env);
    switch (endpoint.kind) {
        case config::provider_kind::scripted:
            return std::make_unique<scripted_provider>();
        case config::provider_kind::openai:
            return std::make_unique<http_provider>(endpoint, *context.client, make_openai_adapter(),
                                                   key, context.fleet_budget);
        case config::provider_kind::anthropic:
            return std::make_unique<http_provider>(
                endpoint, *context.client, make_anthropic_adapter(), key, context.fleet_budget);
        case config::provider_kind::gemini:
            return std::make_unique<http_provider>(endpoint, *context.client, make_gemini_adapter(),
                                                   key, context.fleet_budget);
    }
    return make_error_code(errc::invalid_config);
}

}  // namespace polylogue::providers
