#include "config/sections.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "config/values.hpp"
#include "polylogue/core/text.hpp"

namespace polylogue::config::detail {
namespace {

const std::vector<std::string> top_keys{"data_dir", "providers", "models", "rooms"};
const std::vector<std::string> provider_keys{"kind", "base_url", "api_key_env", "ca_file"};
const std::vector<std::string> model_keys{"name", "provider", "script", "temperature_range",
                                          "temperature"};
const std::vector<std::string> kind_names{"openai", "anthropic", "gemini", "scripted"};
constexpr std::array kinds{provider_kind::openai, provider_kind::anthropic, provider_kind::gemini,
                           provider_kind::scripted};
constexpr double max_temperature = 5.0;

// Shortest round-trip form: "2", "0.7", not "2.000000".
std::string number_text(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::optional<provider_kind> read_kind(const field& f, reporter& report) {
    const std::optional<std::string> text = read_string(f, report);
    if (!text) {
        return std::nullopt;
    }
    const auto found = std::find(kind_names.begin(), kind_names.end(), *text);
    if (found != kind_names.end()) {
        return kinds[static_cast<std::size_t>(found - kind_names.begin())];
    }
    const std::string hint = did_you_mean(*text, kind_names);
    report.error(f.value_mark(), "unknown provider kind '" + *text + "'; " +
                                     (hint.empty() ? "expected " + quoted_list(kind_names) : hint));
    return std::nullopt;
}

provider_draft read_provider(const field& entry, reporter& report) {
    provider_draft draft{provider{entry.key}, entry.key_node.Mark()};
    const std::string owner = "provider '" + entry.key + "'";
    if (!entry.value.IsMap()) {
        report.error(entry.value_mark(), owner + " must be a map such as { kind: scripted }");
        return draft;
    }
    const map_view view{entry.value, owner, provider_keys, report};
    const field* kind_field = view.require("kind", owner);
    const std::optional<provider_kind> kind =
        kind_field ? read_kind(*kind_field, report) : std::nullopt;
    draft.valid = kind.has_value();
    draft.value.kind = kind.value_or(provider_kind::scripted);
    const bool scripted = draft.valid && draft.value.kind == provider_kind::scripted;
    // Endpoint settings are type-checked now; what they mean belongs to the providers module.
    for (const std::string_view key : {"base_url", "api_key_env", "ca_file"}) {
        const field* f = view.find(key);
        if (f != nullptr && read_string(*f, report) && scripted) {
            report.error(f->key_node.Mark(), f->key +
                                                 " is for openai, anthropic and gemini providers, "
                                                 "not scripted ones");
        }
    }
    return draft;
}

std::vector<provider_draft> read_providers(const field& section, reporter& report) {
    std::vector<provider_draft> providers;
    if (section.value.IsNull()) {
        return providers;
    }
    if (!section.value.IsMap()) {
        report.error(section.value_mark(),
                     expected(section, "a map from provider names to settings"));
        return providers;
    }
    for (auto it = section.value.begin(); it != section.value.end(); ++it) {
        const std::optional<std::string> name = scalar_text(it->first);
        if (!name || name->empty()) {
            report.error(it->first.Mark(), "provider names must be non-empty strings");
            continue;
        }
        providers.push_back(read_provider(field{*name, it->first, it->second}, report));
    }
    return providers;
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
    return draft;
}

}  // namespace polylogue::config::detail
