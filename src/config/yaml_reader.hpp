#pragma once
// Reading yaml-cpp nodes without exceptions and with every problem reported at its position.
// yaml-cpp's own conversions (as<T>) throw and accept too much, so scalars are converted here.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/report.hpp"

namespace polylogue::config::detail {

struct field {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;

    // yaml-cpp places an absent value ("name:") at the next token, possibly lines below; the
    // key is where the user will look.
    YAML::Mark value_mark() const;
};

// A YAML map checked against the keys it may have. Unknown, duplicate and non-string keys are
// reported once, on construction; callers then ask only for keys they know.
class map_view {
  public:
    // role names the map in messages: "unknown key 'x' in <role>".
    map_view(const YAML::Node& map, std::string_view role, const std::vector<std::string>& known,
             reporter& report);

    const field* find(std::string_view key) const noexcept;
    // Reports "<owner> is missing required key '<key>'" at the map's position when absent.
    const field* require(std::string_view key, std::string_view owner) const;
    const std::vector<field>& fields() const noexcept { return fields_; }
    YAML::Mark mark() const { return mark_; }

  private:
    void add(const YAML::Node& key, const YAML::Node& value, std::string_view role,
             const std::vector<std::string>& known);

    std::vector<field> fields_;
    YAML::Mark mark_;
    reporter* report_;
};

// A scalar's text; anything else (a map, a list, null) is reported as "<key> must be a string".
std::optional<std::string> read_string(const field& f, reporter& report, bool allow_empty = false);

// An integer in [low, high]; otherwise "<key> must be an integer from <low> to <high>".
std::optional<int> read_integer(const field& f, int low, int high, reporter& report);

// The index of the value among choices; otherwise "unknown <what> '<value>'" with a suggestion or
// the list of choices.
std::optional<std::size_t> read_choice(const field& f, const std::vector<std::string>& choices,
                                       std::string_view what, reporter& report);

// A duration from 0 to max_duration.
inline constexpr std::chrono::milliseconds max_duration{3'600'000};
std::optional<std::chrono::milliseconds> read_duration(const field& f, reporter& report);

// "<key> must be <what>, not a map", or "<key> has no value; expected <what>".
std::string expected(const field& f, std::string_view what);

// The text of a scalar node, or nullopt for maps, lists and null.
std::optional<std::string> scalar_text(const YAML::Node& node);

// yaml-cpp's name for what a node is, for "must be a list, not a map" style messages.
std::string_view node_kind(const YAML::Node& node);

}  // namespace polylogue::config::detail
