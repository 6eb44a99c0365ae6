#include "config/yaml_reader.hpp"

#include <algorithm>

#include "config/values.hpp"

namespace polylogue::config::detail {

YAML::Mark field::value_mark() const {
    return value.IsNull() ? key_node.Mark() : value.Mark();
}

map_view::map_view(const YAML::Node& map, std::string_view role,
                   const std::vector<std::string>& known, reporter& report)
    : mark_{map.Mark()}, report_{&report} {
    for (auto it = map.begin(); it != map.end(); ++it) {
        add(it->first, it->second, role, known);
    }
}

void map_view::add(const YAML::Node& key, const YAML::Node& value, std::string_view role,
                   const std::vector<std::string>& known) {
    const std::optional<std::string> name = scalar_text(key);
    if (!name) {
        report_->error(key.Mark(), "keys in " + std::string{role} + " must be plain strings, not " +
                                       std::string{node_kind(key)});
        return;
    }
    if (const field* earlier = find(*name)) {
        // yaml-cpp keeps both entries of a repeated key; which one wins would be a guess.
        report_->error(key.Mark(), "duplicate key '" + *name + "'; first at " +
                                       position_text(earlier->key_node.Mark()));
        return;
    }
    if (std::find(known.begin(), known.end(), *name) == known.end()) {
        const std::string hint = did_you_mean(*name, known);
        report_->error(key.Mark(), "unknown key '" + *name + "' in " + std::string{role} + "; " +
                                       (hint.empty() ? "expected " + quoted_list(known) : hint));
        return;
    }
    fields_.push_back(field{*name, key, value});
}

const field* map_view::find(std::string_view key) const noexcept {
    const auto found =
        std::find_if(fields_.begin(), fields_.end(), [&](const field& f) { return f.key == key; });
    return found == fields_.end() ? nullptr : &*found;
}

const field* map_view::require(std::string_view key, std::string_view owner) const {
    const field* found = find(key);
    if (found == nullptr) {
        report_->error(mark_,
                       std::string{owner} + " is missing required key '" + std::string{key} + "'");
    }
    return found;
}

std::optional<std::string> read_string(const field& f, reporter& report, bool allow_empty) {
    std::optional<std::string> text = scalar_text(f.value);
    if (!text) {
        report.error(f.value_mark(), expected(f, "a string"));
    } else if (text->empty() && !allow_empty) {
        report.error(f.value_mark(), f.key + " must not be empty");
        text.reset();
    }
    return text;
}

std::optional<int> read_integer(const field& f, int low, int high, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const std::optional<long long> value = text ? parse_integer(*text) : std::nullopt;
    if (!value || *value < low || *value > high) {
        report.error(f.value_mark(), f.key + " must be an integer from " + std::to_string(low) +
                                         " to " + std::to_string(high));
        return std::nullopt;
    }
    return static_cast<int>(*value);
}

std::optional<std::size_t> read_choice(const field& f, const std::vector<std::string>& choices,
                                       std::string_view what, reporter& report) {
    const std::optional<std::string> text = read_string(f, report);
    if (!text) {
        return std::nullopt;
    }
    const auto found = std::find(choices.begin(), choices.end(), *text);
    if (found != choices.end()) {
        return static_cast<std::size_t>(found - choices.begin());
    }
    const std::string hint = did_you_mean(*text, choices);
    report.error(f.value_mark(), "unknown " + std::string{what} + " '" + *text + "'; " +
                                     (hint.empty() ? "expected " + quoted_list(choices) : hint));
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> read_duration(const field& f, reporter& report) {
    const std::optional<std::string> text = scalar_text(f.value);
    const auto value = text ? parse_duration(*text) : std::nullopt;
    if (!value || *value > max_duration) {
        report.error(f.value_mark(), f.key +
                                         " must be a duration from 0s to 1h written as a number "
                                         "and a unit (ms, s or m), such as 500ms, 1.5s or 2m");
        return std::nullopt;
    }
    return value;
}

std::string expected(const field& f, std::string_view what) {
    if (f.value.IsNull()) {
        return f.key + " has no value; expected " + std::string{what};
    }
    return f.key + " must be " + std::string{what} + ", not " + std::string{node_kind(f.value)};
}

std::optional<std::string> scalar_text(const YAML::Node& node) {
    if (!node.IsScalar()) {
        return std::nullopt;
    }
    return node.Scalar();
}

std::string_view node_kind(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a scalar";
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            break;
    }
    return "an empty value";
}

}  // namespace polylogue::config::detail
