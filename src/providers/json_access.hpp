#pragma once
// Reading a server's JSON, which is untrusted: any field may be missing, null or of another type,
// and no lookup may throw. A missing value reads as null, so lookups chain without checks in
// between: string_field(first_element(member(chunk, "candidates")), "finishReason").

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace polylogue::providers {

// The null value every failed lookup answers with; it lives as long as the program.
inline const nlohmann::json& absent_json() noexcept {
    static const nlohmann::json absent;
    return absent;
}

// object[name], or null when object is not an object or has no such member.
inline const nlohmann::json& member(const nlohmann::json& object, std::string_view name) {
    if (!object.is_object()) {
        return absent_json();
    }
    const auto found = object.find(name);
    return found == object.end() ? absent_json() : *found;
}

// array[0], or null when array is not an array or is empty.
inline const nlohmann::json& first_element(const nlohmann::json& array) {
    return array.is_array() && !array.empty() ? array.front() : absent_json();
}

// object[name] when it is a string, else "".
inline std::string string_field(const nlohmann::json& object, std::string_view name) {
    const nlohmann::json& value = member(object, name);
    return value.is_string() ? value.get<std::string>() : std::string{};
}

}  // namespace polylogue::providers
