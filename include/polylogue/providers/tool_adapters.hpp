#pragma once
// Pure adapters for the room's tools: image generation and web search. Like the model adapters,
// each builds an http_call and decodes a response; the tool runner does the I/O.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/core/error.hpp"
#include "polylogue/providers/api_adapter.hpp"

namespace polylogue::providers {

struct tool_settings {
    std::string base_url;  // no trailing slash
    std::string api_key;   // may be empty (SearXNG)
    std::string model_id;  // image backends: e.g. "gpt-image-1", "gemini-2.5-flash-image"
    header_list extra_headers;
};

struct generated_image {
    std::string bytes;  // decoded image bytes; empty when only url is set
    std::string mime;   // "image/png", ...
    std::string url;    // set when the backend answered with a URL instead of bytes
};

struct search_hit {
    std::string title;
    std::string url;
    std::string snippet;
};

using image_outcome = result<generated_image, api_failure>;
using search_outcome = result<std::vector<search_hit>, api_failure>;

class image_adapter {
  public:
    virtual ~image_adapter() = default;
    virtual http_call build_request(std::string_view prompt,
                                    const tool_settings& settings) const = 0;
    // A 200 response body; errors go through classify_error.
    virtual image_outcome decode(std::string_view body) const = 0;
    virtual api_failure classify_error(int status, const header_list& headers,
                                       std::string_view body) const = 0;
};

class search_adapter {
  public:
    virtual ~search_adapter() = default;
    virtual http_call build_request(std::string_view query, const tool_settings& settings,
                                    int max_results) const = 0;
    virtual search_outcome decode(std::string_view body, int max_results) const = 0;
    virtual api_failure classify_error(int status, const header_list& headers,
                                       std::string_view body) const = 0;
};

// kind: "openai" (OpenAI Images), "gemini" (Gemini image models), "openrouter" (chat with
// image modality). nullptr for an unknown kind.
std::unique_ptr<image_adapter> make_image_adapter(std::string_view kind);
// kind: "searxng", "brave", "tavily". nullptr for an unknown kind.
std::unique_ptr<search_adapter> make_search_adapter(std::string_view kind);

}  // namespace polylogue::providers
