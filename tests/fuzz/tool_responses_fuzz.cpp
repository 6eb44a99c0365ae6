// libFuzzer target for the image and search tool adapters' response parsing: every backend gets
// the input as a 200 body and as an error body. Whatever the bytes, an image is usable or a
// failure explains why, and search hits keep their bounds. Build and run with run_fuzzer.sh.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "polylogue/core/text.hpp"
#include "polylogue/providers/tool_adapters.hpp"

namespace {

using polylogue::fuzz::check;
namespace providers = polylogue::providers;

constexpr std::size_t snippet_limit = 500;  // search_adapters.cpp's bound on titles and snippets

bool is_utf8(std::string_view text) {
    return polylogue::core::sanitize_utf8(text) == text;
}

void check_failure(const providers::api_failure& failure) {
    check(!failure.type.empty(), "a tool failure always has a type");
}

void check_image(const providers::image_outcome& outcome) {
    if (!outcome) {
        check_failure(outcome.error());
        return;
    }
    const providers::generated_image& image = *outcome;
    if (image.url.empty()) {
        check(!image.bytes.empty(), "an image without a URL has bytes");
        check(!image.mime.empty(), "image bytes come with a media type");
    } else {
        check(image.bytes.empty(), "an image is bytes or a URL, not both");
        check(image.url.starts_with("https://") || image.url.starts_with("http://"),
              "only http(s) URLs are handed on for download");
    }
}

void check_search(const providers::search_outcome& outcome, int max_results) {
    if (!outcome) {
        check_failure(outcome.error());
        return;
    }
    const std::vector<providers::search_hit>& hits = *outcome;
    check(hits.size() <= static_cast<std::size_t>(std::max(1, max_results)), "hits are capped");
    for (const providers::search_hit& hit : hits) {
        check(polylogue::core::is_web_url(hit.url), "every hit has an http(s) URL");
        check(hit.title.size() <= snippet_limit && hit.snippet.size() <= snippet_limit,
              "titles and snippets are bounded");
        check(is_utf8(hit.title) && is_utf8(hit.snippet), "titles and snippets are UTF-8");
    }
}

// One status per input, chosen by the input (one parse per run keeps the fuzzer fast).
template <class Adapter>
void check_error_body(const Adapter& adapter, std::string_view body) {
    constexpr std::array statuses{400, 401, 403, 429, 500, 503};
    const int status = statuses[polylogue::fuzz::split_point(body) % statuses.size()];
    const providers::api_failure failure = adapter.classify_error(status, {}, body);
    check(failure.http_status == status, "the failure keeps the status");
    check(!failure.type.empty(), "an error response always gets a type");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::array image_adapters{providers::make_image_adapter("openai"),
                                           providers::make_image_adapter("gemini"),
                                           providers::make_image_adapter("openrouter")};
    static const std::array search_adapters{providers::make_search_adapter("searxng"),
                                            providers::make_search_adapter("brave"),
                                            providers::make_search_adapter("tavily")};
    const std::string_view body = polylogue::fuzz::as_text(data, size);
    for (const auto& adapter : image_adapters) {
        check_image(adapter->decode(body));
        check_error_body(*adapter, body);
    }
    // From -2 to 22: below 1 and above the backends' cap of 20 too.
    const int max_results = static_cast<int>(polylogue::fuzz::split_point(body) % 25) - 2;
    for (const auto& adapter : search_adapters) {
        check_search(adapter->decode(body, max_results), max_results);
        check_error_body(*adapter, body);
    }
    return 0;
}
