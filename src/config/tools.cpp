#include <array>
#include <utility>

#include "config/endpoints.hpp"
#include "config/sections.hpp"
#include "config/values.hpp"

namespace polylogue::config::detail {
namespace {

const std::vector<std::string> tool_keys{"name",        "kind",     "base_url",
                                         "api_key_env", "model",    "max_results",
                                         "ca_file",     "timeouts", "price_per_call_usd"};
const std::vector<std::string> tool_kind_names{"openai_images", "gemini_image", "openrouter_image",
                                               "searxng",       "brave",        "tavily"};
constexpr std::array tool_kinds{
    tool_kind::openai_images, tool_kind::gemini_image, tool_kind::openrouter_image,
    tool_kind::searxng,       tool_kind::brave,        tool_kind::tavily};
constexpr int max_results_limit = 20;

void read_tool_name(const map_view& view, tool_draft& draft, reporter& report) {
    const field* f = view.require("name", "a tool");
    const std::optional<std::string> name = f ? read_string(*f, report) : std::nullopt;
    if (!name) {
        return;
    }
    if (!is_clean_name(*name, true)) {
        report.error(f->value_mark(),
                     "tool name '" + *name +
                         "' must be 1 to 64 characters, without '\"', control characters or "
                         "spaces at either end");
        return;
    }
    draft.value.name = *name;
    draft.name_mark = f->value_mark();
}

// "<key> is for image tools, not searxng ones" when a known kind does not take the key.
bool misplaced(const field& f, const tool_draft& draft, bool for_image, reporter& report) {
    if (!draft.valid || draft.value.is_image() == for_image) {
        return false;
    }
    report.error(f.key_node.Mark(), f.key + " is for " + (for_image ? "image" : "search") +
                                        " tools, not " + std::string{to_string(draft.value.kind)} +
                                        " ones");
    return true;
}

void read_family_settings(const map_view& view, tool_draft& draft, const std::string& owner,
                          reporter& report) {
    tool& target = draft.value;
    const bool needs_model = draft.valid && target.is_image();
    const field* model = needs_model ? view.require("model", owner) : view.find("model");
    if (model != nullptr && !misplaced(*model, draft, true, report)) {
        target.model = read_string(*model, report).value_or(std::string{});
    }
    const field* results = view.find("max_results");
    if (results != nullptr && !misplaced(*results, draft, false, report)) {
        target.max_results =
            read_integer(*results, 1, max_results_limit, report).value_or(target.max_results);
    }
}

void read_tool_price(const field& f, tool& target, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
    if (!value || *value < 0) {
        report.error(f.value_mark(),
                     "price_per_call_usd must be a number of 0 or more (US dollars per image "
                     "or search)");
        return;
    }
    target.price_per_call_usd = *value;
}

tool_draft read_tool(const YAML::Node& node, reporter& report) {
    tool_draft draft{};
    draft.mark = node.Mark();
    const map_view view{node, "a tool", tool_keys, report};
    read_tool_name(view, draft, report);
    const std::string owner = draft.name_mark ? "tool '" + draft.value.name + "'" : "a tool";
    const field* kind_field = view.require("kind", owner);
    const auto kind =
        kind_field ? read_choice(*kind_field, tool_kind_names, "tool kind", report) : std::nullopt;
    draft.valid = kind.has_value();
    draft.value.kind = kind ? tool_kinds[*kind] : tool_kind::searxng;
    endpoint_settings endpoint = read_endpoint(view, owner, true, tool{}.timeouts, report);
    draft.value.base_url = std::move(endpoint.base_url);
    draft.value.api_key_env = std::move(endpoint.api_key_env);
    draft.value.timeouts = endpoint.timeouts;
    draft.ca_file = std::move(endpoint.ca_file);
    // A SearXNG instance may be open to its users; every other service wants a key.
    if (draft.valid && draft.value.kind != tool_kind::searxng) {
        view.require("api_key_env", owner);
    }
    read_family_settings(view, draft, owner, report);
    if (const field* f = view.find("price_per_call_usd")) {
        read_tool_price(*f, draft.value, report);
    }
    return draft;
}

}  // namespace

std::vector<tool_draft> read_tools(const field& section, reporter& report) {
    std::vector<tool_draft> tools;
    if (section.value.IsNull()) {
        return tools;
    }
    if (!section.value.IsSequence()) {
        report.error(section.value_mark(), expected(section, "a list of tools"));
        return tools;
    }
    for (const YAML::Node& node : section.value) {
        if (!node.IsMap()) {
            report.error(node.Mark(),
                         "each tool must be a map with a name, a kind and a "
                         "base_url, not " +
                             std::string{node_kind(node)});
            continue;
        }
        tools.push_back(read_tool(node, report));
    }
    return tools;
}

}  // namespace polylogue::config::detail
