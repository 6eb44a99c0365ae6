#pragma once
// Builders for records and catalogue entries, so unit tests read like the transcript they model.

#include <optional>
#include <string>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/core/record.hpp"

namespace polylogue::test {

inline core::record join(int slot, std::string model, std::string invited_by = "config",
                         std::optional<double> temperature = 1.0) {
    core::record r;
    r.type = core::record_type::join;
    r.speaker = core::slot_label(slot);
    r.model = std::move(model);
    r.invited_by = std::move(invited_by);
    r.value = temperature;
    return r;
}

inline core::record message(std::string speaker, std::string text, std::string model = {}) {
    core::record r;
    r.type = core::record_type::message;
    r.speaker = std::move(speaker);
    r.model = std::move(model);
    r.text = std::move(text);
    return r;
}

inline core::record command(int slot, std::string name, std::vector<std::string> args,
                            core::command_status status = core::command_status::ok) {
    core::record r;
    r.type = core::record_type::command;
    r.speaker = core::slot_label(slot);
    r.command = core::command_name_from_string(name).value();  // a typo fails the test
    r.args = std::move(args);
    r.status = status;
    return r;
}

inline core::record of_type(core::record_type type, int slot, std::string text = {}) {
    core::record r;
    r.type = type;
    r.speaker = slot > 0 ? core::slot_label(slot) : std::string{};
    r.text = std::move(text);
    return r;
}

// Numbers records 1, 2, 3... as the store would.
inline std::vector<core::record> numbered(std::vector<core::record> records) {
    std::int64_t seq = 0;
    for (auto& r : records) {
        r.seq = ++seq;
        r.time = "2026-11-29T04:30:00.000Z";
    }
    return records;
}

inline config::model catalogue_model(
    std::string name,
    std::optional<config::temperature_range> range = config::temperature_range{}) {
    config::model m;
    m.name = std::move(name);
    m.provider = "stage";
    m.temperature_range = range;
    return m;
}

}  // namespace polylogue::test
