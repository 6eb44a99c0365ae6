#pragma once
// Runs the room tools named in the configuration: image generation and web search, each through
// its pure adapter and the shared HTTP client. Images given as a URL are fetched (https only,
// size-capped, no redirects). Failures come back as values with the reason, the tool's key
// redacted from it (backends echo a bad key in their errors).

#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <string>

#include "polylogue/config/config.hpp"
#include "polylogue/http/client.hpp"
#include "polylogue/providers/provider_factory.hpp"
#include "polylogue/providers/tool_adapters.hpp"

namespace polylogue::providers {

class tool_runner {
  public:
    tool_runner(const config::config& cfg, http::client& client, environment_reader environment);

    boost::asio::awaitable<image_outcome> generate_image(std::string tool, std::string prompt);
    boost::asio::awaitable<search_outcome> search(std::string tool, std::string query);

  private:
    struct configured_tool {
        const config::tool* settings = nullptr;
        tool_settings wire;
        std::unique_ptr<image_adapter> image;
        std::unique_ptr<search_adapter> searcher;
    };

    http::request to_http(const configured_tool& tool, const http_call& call) const;
    boost::asio::awaitable<image_outcome> call_image(const configured_tool* tool,
                                                     std::string prompt);
    boost::asio::awaitable<search_outcome> call_search(const configured_tool* tool,
                                                       std::string query);
    boost::asio::awaitable<image_outcome> fetch_image(const configured_tool* tool, std::string url);
    const configured_tool* find(const std::string& name) const;

    http::client& client_;
    std::map<std::string, configured_tool, std::less<>> tools_;
};

}  // namespace polylogue::providers
