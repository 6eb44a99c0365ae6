#include "config/sections.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "config/values.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

const std::vector<std::string> top_keys{
    "data_dir",       "providers",          "models", "rooms", "tools", "control", "logging",
    "shutdown_grace", "budget_usd_per_day", "store"};
const std::vector<std::string> model_keys{
    "name",       "provider", "script", "temperature_range", "temperature", "id",
    "max_tokens", "price",    "vision", "context_tokens",    "cache"};
const std::vector<std::string> price_keys{"input_per_mtok", "output_per_mtok",
                                          "cached_input_per_mtok", "cache_write_per_mtok"};
constexpr double max_temperature = 5.0;
constexpr int max_tokens_limit = 1'000'000;
constexpr int min_context_tokens = 1'000;
constexpr int max_context_tokens = 10'000'000;
constexpr std::size_t max_id_length = 256;

// Shortest round-trip form: "2", "0.7", not "2.000000".
std::string number_text(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

// Sets target's range; false when the field is malformed (so temperature is not checked against
// a range the user did not mean).
bool read_range(const field& f, model& target, reporter& report) {
    if (scalar_text(f.value) == "none") {
        target.temperature_range.reset();
        return true;
    }
    std::vector<std::optional<double>> bounds;
    if (f.value.IsSequence()) {
        for (const YAML::Node& bound : f.value) {
            const std::optional<std::string> text = scalar_text(bound);
            bounds.push_back(text ? parse_number(*text) : std::nullopt);
        }
    }
    if (bounds.size() != 2 || !bounds[0] || !bounds[1] || *bounds[0] < 0 ||
        *bounds[0] > *bounds[1] || *bounds[1] > max_temperature) {
        report.error(f.value_mark(),
                     "temperature_range must be [min, max] with 0 <= min <= max <= " +
                         number_text(max_temperature) + ", or none");
        return false;
    }
    target.temperature_range = temperature_range{*bounds[0], *bounds[1]};
    return true;
}

void read_temperature(const map_view& view, model& target, reporter& report) {
    const field* range_field = view.find("temperature_range");
    const bool range_ok = range_field == nullptr || read_range(*range_field, target, report);
    const auto& range = target.temperature_range;
    const field* f = view.find("temperature");
    if (f == nullptr) {
        if (range) {
            target.temperature = std::clamp(target.temperature, range->min, range->max);
        }
        return;
    }
    const std::optional<std::string> text = scalar_text(f->value);
    const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
#pragma GCC diagnostic push
    // GCC 12 at -O1 (the sanitizer presets) takes *value, read only once value is known to hold
    // one, for a read of an uninitialized double: a known false positive with std::optional.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    if (range_ok && !range) {
        report.error(f->key_node.Mark(), "temperature is set but temperature_range is none");
    } else if (range_ok && (!value || *value < range->min || *value > range->max)) {
        report.error(f->value_mark(), "temperature must be a number from " +
                                          number_text(range->min) + " to " +
                                          number_text(range->max));
    } else if (!value) {
        report.error(f->value_mark(), "temperature must be a number");
    } else {
        target.temperature = *value;
    }
#pragma GCC diagnostic pop
}

void read_model_name(const map_view& view, model_draft& draft, reporter& report) {
    const field* f = view.require("name", "a model");
    const std::optional<std::string> name = f ? read_string(*f, report) : std::nullopt;
    if (!name) {
        return;
    }
    if (!is_clean_name(*name, true)) {
        report.error(f->value_mark(),
                     "model name '" + *name +
                         "' must be 1 to 64 characters, without '\"', control characters or "
                         "spaces at either end");
        return;
    }
    draft.value.name = *name;
    draft.name_mark = f->value_mark();
}

void read_model_id(const field& f, model_draft& draft, reporter& report) {
    draft.id_key = f.key_node.Mark();
    std::optional<std::string> id = read_string(f, report);
    if (!id) {
        return;
    }
    // It goes into URLs (Gemini) and JSON bodies as is; blanks there are always a typo.
    const bool clean =
        id->size() <= max_id_length && std::none_of(id->begin(), id->end(), [](char c) {
            return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
        });
    if (!clean) {
        report.error(f.value_mark(),
                     "id must be the provider's model id: at most 256 characters, without "
                     "spaces or control characters");
        return;
    }
    draft.value.id = std::move(*id);
}

std::optional<double> read_rate(const field& f, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<double> value = text ? parse_number(*text) : std::nullopt;
    if (!value || *value < 0) {
        report.error(f.value_mark(), f.key +
                                         " must be a number of 0 or more (US dollars per million "
                                         "tokens)");
        return std::nullopt;
    }
    return value;
}

std::optional<price> read_price(const field& f, reporter& report) {
    if (!f.value.IsMap()) {
        report.error(f.value_mark(),
                     expected(f, "a map such as { input_per_mtok: 5, output_per_mtok: 25 }"));
        return std::nullopt;
    }
    const map_view view{f.value, "price", price_keys, report};
    const field* input = view.require("input_per_mtok", "price");
    const field* output = view.require("output_per_mtok", "price");
    const std::optional<double> input_rate = input ? read_rate(*input, report) : std::nullopt;
    const std::optional<double> output_rate = output ? read_rate(*output, report) : std::nullopt;
    if (!input_rate || !output_rate) {
        return std::nullopt;
    }
    price rates{*input_rate, *output_rate, std::nullopt, std::nullopt};
    if (const field* cached = view.find("cached_input_per_mtok")) {
        rates.cached_input_per_mtok = read_rate(*cached, report);
    }
    if (const field* written = view.find("cache_write_per_mtok")) {
        rates.cache_write_per_mtok = read_rate(*written, report);
    }
    return rates;
}

void read_cache_mode(const field& f, model& target, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    if (text == "auto") {
        target.cache = cache_mode::automatic;
    } else if (text == "off") {
        target.cache = cache_mode::off;
    } else {
        report.error(f.value_mark(), "cache must be auto or off");
    }
}

void read_network_settings(const map_view& view, model_draft& draft, reporter& report) {
    if (const field* f = view.find("id")) {
        read_model_id(*f, draft, report);
    }
    model& target = draft.value;
    if (const field* f = view.find("max_tokens")) {
        target.max_tokens =
            read_integer(*f, 1, max_tokens_limit, report).value_or(target.max_tokens);
    }
    if (const field* f = view.find("context_tokens")) {
        target.context_tokens = read_integer(*f, min_context_tokens, max_context_tokens, report)
                                    .value_or(target.context_tokens);
        if (target.context_tokens <= target.max_tokens) {
            report.error(f->value_mark(), "context_tokens (" +
                                              std::to_string(target.context_tokens) +
                                              ") must be larger than max_tokens (" +
                                              std::to_string(target.max_tokens) +
                                              "): the reply must fit in the context");
        }
    }
    if (const field* f = view.find("price")) {
        target.price = read_price(*f, report);
    }
    if (const field* f = view.find("vision")) {
        const std::optional<std::string> text = scalar_text(f->value);
        const std::optional<bool> value = text ? parse_bool(*text) : std::nullopt;
        if (!value) {
            report.error(f->value_mark(), "vision must be true or false");
        }
        target.vision = value.value_or(target.vision);
    }
    if (const field* f = view.find("cache")) {
        read_cache_mode(*f, target, report);
    }
}

model_draft read_model(const YAML::Node& node, reporter& report) {
    model_draft draft{};
    draft.mark = node.Mark();
    const map_view view{node, "a model", model_keys, report};
    read_model_name(view, draft, report);
    const std::string owner = draft.name_mark ? "model '" + draft.value.name + "'" : "a model";
    if (const field* f = view.require("provider", owner)) {
        if (std::optional<std::string> name = read_string(*f, report)) {
            draft.provider = located<std::string>{std::move(*name), f->value_mark()};
        }
    }
    if (const field* f = view.find("script")) {
        draft.script_key = f->key_node.Mark();
        if (std::optional<std::string> path = read_string(*f, report)) {
            draft.script = located<std::string>{std::move(*path), f->value_mark()};
        }
    }
    read_temperature(view, draft.value, report);
    read_network_settings(view, draft, report);
    return draft;
}

std::vector<model_draft> read_models(const field& section, reporter& report) {
    std::vector<model_draft> models;
    if (section.value.IsNull()) {
        return models;
    }
    if (!section.value.IsSequence()) {
        report.error(section.value_mark(), expected(section, "a list of models"));
        return models;
    }
    for (const YAML::Node& node : section.value) {
        if (!node.IsMap()) {
            report.error(node.Mark(), "each model must be a map with a name and a provider, not " +
                                          std::string{node_kind(node)});
            continue;
        }
        models.push_back(read_model(node, report));
    }
    return models;
}

}  // namespace

config_draft read_config(const YAML::Node& root, reporter& report) {
    config_draft draft;
    if (!root.IsMap()) {
        report.error(root.Mark(), std::string{root.IsNull() ? "the configuration is empty"
                                                            : "the configuration is not a map"} +
                                      "; expected a map with the keys " + quoted_list(top_keys));
        return draft;
    }
    const map_view view{root, "the configuration", top_keys, report};
    if (const field* f = view.find("data_dir")) {
        draft.data_dir = read_string(*f, report).value_or(draft.data_dir);
    }
    if (const field* f = view.find("providers")) {
        draft.providers = read_providers(*f, report);
    }
    if (const field* f = view.find("models")) {
        draft.models = read_models(*f, report);
    }
    if (const field* f = view.find("rooms")) {
        draft.rooms = read_rooms(*f, report);
    }
    if (const field* f = view.find("tools")) {
        draft.tools = read_tools(*f, report);
    }
    draft.service = read_service(view, report);
    return draft;
}

}  // namespace polylogue::config::detail
