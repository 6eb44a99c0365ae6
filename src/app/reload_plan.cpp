#include "reload_plan.hpp"

namespace polylogue::app {
namespace {

std::string text_of(bool value) {
    return value ? "true" : "false";
}

std::string text_of(std::uint64_t value) {
    return std::to_string(value);
}

std::string text_of(const std::string& value) {
    return value;
}

template <class T>
void compare(std::vector<restart_setting>& out, const char* key, const T& running,
             const T& wanted) {
    if (running != wanted) {
        out.push_back({key, text_of(running), text_of(wanted)});
    }
}

}  // namespace

std::vector<restart_setting> settings_needing_restart(const config::config& running,
                                                      const config::config& wanted) {
    std::vector<restart_setting> out;
    const auto& from = running.control;
    const auto& to = wanted.control;
    compare(out, "control.enabled", from.enabled, to.enabled);
    compare(out, "control.listen", from.listen, to.listen);
    compare<std::uint64_t>(out, "control.max_body_bytes", from.max_body_bytes, to.max_body_bytes);
    compare<std::uint64_t>(out, "control.max_header_bytes", from.max_header_bytes,
                           to.max_header_bytes);
    compare(out, "logging.max_file_size", running.logging.max_file_bytes,
            wanted.logging.max_file_bytes);
    compare<std::uint64_t>(out, "logging.max_files",
                           static_cast<std::uint64_t>(running.logging.max_files),
                           static_cast<std::uint64_t>(wanted.logging.max_files));
    compare(out, "logging.json", running.logging.json, wanted.logging.json);
    return out;
}

std::string key_list(const std::vector<restart_setting>& settings) {
    std::string out;
    for (const auto& s : settings) {
        out += (out.empty() ? "" : ", ") + s.key;
    }
    return out;
}

}  // namespace polylogue::app
