#include "polylogue/core/record.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <utility>

namespace polylogue::core {
namespace {

constexpr std::array record_type_names{
    std::pair{record_type::message, std::string_view{"message"}},
    std::pair{record_type::command, std::string_view{"command"}},
    std::pair{record_type::join, std::string_view{"join"}},
    std::pair{record_type::skip, std::string_view{"skip"}},
    std::pair{record_type::member_exhausted, std::string_view{"member_exhausted"}},
    std::pair{record_type::notice, std::string_view{"notice"}},
    std::pair{record_type::room_ended, std::string_view{"room_ended"}},
    std::pair{record_type::turn_failed, std::string_view{"turn_failed"}},
    std::pair{record_type::member_suspended, std::string_view{"member_suspended"}},
    std::pair{record_type::image, std::string_view{"image"}},
    std::pair{record_type::search_results, std::string_view{"search_results"}},
    std::pair{record_type::paused, std::string_view{"paused"}},
    std::pair{record_type::resumed, std::string_view{"resumed"}},
    std::pair{record_type::context_trimmed, std::string_view{"context_trimmed"}},
    std::pair{record_type::member_reinstated, std::string_view{"member_reinstated"}},
    std::pair{record_type::next_speaker, std::string_view{"next_speaker"}},
    std::pair{record_type::loop_detected, std::string_view{"loop_detected"}},
    std::pair{record_type::settings_changed, std::string_view{"settings_changed"}},
    std::pair{record_type::left, std::string_view{"left"}},
    std::pair{record_type::forked, std::string_view{"forked"}},
    std::pair{record_type::archived, std::string_view{"archived"}},
};

constexpr std::array command_status_names{
    std::pair{command_status::ok, std::string_view{"ok"}},
    std::pair{command_status::rejected, std::string_view{"rejected"}},
    std::pair{command_status::unavailable, std::string_view{"unavailable"}},
    std::pair{command_status::failed, std::string_view{"failed"}},
};

template <class Table, class Enum>
std::string_view name_of(const Table& table, Enum value) noexcept {
    for (const auto& [candidate, name] : table) {
        if (candidate == value) {
            return name;
        }
    }
    return "unknown";
}

template <class Enum, class Table>
result<Enum> value_of(const Table& table, std::string_view name) noexcept {
    for (const auto& [value, candidate] : table) {
        if (candidate == name) {
            return value;
        }
    }
    return errc::corrupt_record;
}

std::string string_field(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::optional<double> number_field(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
        return std::nullopt;
    }
    return it->get<double>();
}

void put_if_set(nlohmann::json& j, const char* key, const std::string& value) {
    if (!value.empty()) {
        j[key] = value;
    }
}

template <class T>
void put_if_set(nlohmann::json& j, const char* key, const std::optional<T>& value) {
    if (value) {
        j[key] = *value;
    }
}

std::optional<std::int64_t> integer_field(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
        return std::nullopt;
    }
    return it->get<std::int64_t>();
}

// An image side in pixels; 0 (unknown) for anything that is not a believable one.
int pixels_field(const nlohmann::json& j, const char* key) {
    const auto value = integer_field(j, key).value_or(0);
    return value > 0 && value <= 1'000'000 ? static_cast<int>(value) : 0;
}

// What a provider call reported: a reply's or a selector's answer.
void usage_fields(nlohmann::json& j, const record& r) {
    put_if_set(j, "input_tokens", r.input_tokens);
    put_if_set(j, "cached_input_tokens", r.cached_input_tokens);
    put_if_set(j, "cache_write_tokens", r.cache_write_tokens);
    put_if_set(j, "output_tokens", r.output_tokens);
    put_if_set(j, "cost_usd", r.cost_usd);
}

void message_fields(nlohmann::json& j, const record& r) {
    put_if_set(j, "reasoning", r.reasoning);
    usage_fields(j, r);
}

void failure_fields(nlohmann::json& j, const record& r) {
    j["detail"] = r.detail;
    j["error_type"] = r.error_type;
    j["failure"] = r.failure;
    j["http_status"] = r.http_status;
    j["attempts"] = r.attempts;
}

nlohmann::json hits_json(const std::vector<search_hit>& hits) {
    auto list = nlohmann::json::array();
    for (const auto& hit : hits) {
        list.push_back({{"title", hit.title}, {"url", hit.url}, {"snippet", hit.snippet}});
    }
    return list;
}

std::vector<search_hit> hits_from(const nlohmann::json& j) {
    std::vector<search_hit> hits;
    if (const auto list = j.find("results"); list != j.end() && list->is_array()) {
        for (const auto& hit : *list) {
            hits.push_back({string_field(hit, "title"), string_field(hit, "url"),
                            string_field(hit, "snippet")});
        }
    }
    return hits;
}

}  // namespace

std::string_view to_string(record_type type) noexcept {
    return name_of(record_type_names, type);
}

std::string_view to_string(command_status status) noexcept {
    return name_of(command_status_names, status);
}

result<record_type> record_type_from_string(std::string_view name) noexcept {
    return value_of<record_type>(record_type_names, name);
}

result<command_status> command_status_from_string(std::string_view name) noexcept {
    return value_of<command_status>(command_status_names, name);
}

nlohmann::json to_json(const record& r) {
    nlohmann::json j{{"seq", r.seq}, {"time", r.time}, {"type", to_string(r.type)}};
    put_if_set(j, "speaker", r.speaker);
    put_if_set(j, "model", r.model);
    switch (r.type) {
        case record_type::command:
            j["command"] = to_string(r.command);
            j["args"] = r.args;
            j["status"] = to_string(r.status);
            j["detail"] = r.detail;
            if (r.value) {
                j["value"] = *r.value;
            }
            if (r.requested) {
                j["requested"] = *r.requested;
            }
            put_if_set(j, "cost_usd", r.cost_usd);
            break;
        case record_type::join:
            j["invited_by"] = r.invited_by;
            put_if_set(j, "invite", r.invite);
            if (r.value) {
                j["temperature"] = *r.value;  // the newcomer's starting temperature
            }
            break;
        case record_type::message:
            j["text"] = r.text;
            message_fields(j, r);
            break;
        case record_type::turn_failed:
            j["text"] = r.text;
            failure_fields(j, r);
            break;
        case record_type::image:
            j["text"] = r.text;
            j["path"] = r.path;
            j["mime"] = r.mime;
            j["bytes"] = r.bytes;
            put_if_set(j, "cost_usd", r.cost_usd);
            if (r.width > 0 && r.height > 0) {
                j["width"] = r.width;
                j["height"] = r.height;
            }
            break;
        case record_type::search_results:
            j["text"] = r.text;
            j["results"] = hits_json(r.results);
            put_if_set(j, "cost_usd", r.cost_usd);
            break;
        case record_type::paused:
            j["text"] = r.text;
            put_if_set(j, "resume_at", r.resume_at);
            break;
        case record_type::member_suspended:
            j["text"] = r.text;
            if (r.retry > 0) {
                j["retry"] = r.retry;
                j["retry_at"] = r.retry_at;
            }
            break;
        case record_type::room_ended:
            j["text"] = r.text;
            put_if_set(j, "failure", r.failure);
            break;
        case record_type::next_speaker:
            j["text"] = r.text;
            j["chosen_by"] = r.chosen_by;
            put_if_set(j, "detail", r.detail);
            usage_fields(j, r);  // counted in the room's totals, so a replay must see them
            break;
        case record_type::loop_detected:
            j["text"] = r.text;
            put_if_set(j, "similarity", r.value);
            j["action"] = r.detail;
            break;
        case record_type::settings_changed:
            j["text"] = r.text;
            if (auto settings = nlohmann::json::parse(r.settings, nullptr, false);
                settings.is_object()) {
                j["settings"] = std::move(settings);
            } else {
                j["settings"] = nlohmann::json::object();
            }
            break;
        case record_type::context_trimmed:
            j["text"] = r.text;
            if (r.from_seq > 0) {
                j["from_seq"] = r.from_seq;
            }
            break;
        case record_type::forked:
            j["text"] = r.text;
            j["origin"] = r.origin;
            j["origin_seq"] = r.origin_seq;
            j["lineage"] = r.lineage;
            break;
        default:
            j["text"] = r.text;
            break;
    }
    return j;
}

result<record> record_from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer()) {
        return errc::corrupt_record;
    }
    auto type = record_type_from_string(string_field(j, "type"));
    if (!type) {
        return type.error();
    }
    record r;
    r.seq = j["seq"].get<std::int64_t>();
    r.time = string_field(j, "time");
    r.type = *type;
    r.speaker = string_field(j, "speaker");
    r.model = string_field(j, "model");
    r.text = string_field(j, "text");
    if (const auto args = j.find("args"); args != j.end() && args->is_array()) {
        for (const auto& arg : *args) {
            r.args.push_back(arg.is_string() ? arg.get<std::string>() : arg.dump());
        }
    }
    if (r.type == record_type::command) {
        auto name = command_name_from_string(string_field(j, "command"));
        auto status = command_status_from_string(string_field(j, "status"));
        if (!name || !status) {
            return make_error_code(errc::corrupt_record);
        }
        r.command = *name;
        r.status = *status;
    }
    r.detail = string_field(j, "detail");
    r.value = number_field(j, r.type == record_type::join ? "temperature" : "value");
    r.requested = number_field(j, "requested");
    r.invited_by = string_field(j, "invited_by");
    r.invite = string_field(j, "invite");
    r.reasoning = string_field(j, "reasoning");
    r.input_tokens = integer_field(j, "input_tokens");
    r.cached_input_tokens = integer_field(j, "cached_input_tokens");
    r.cache_write_tokens = integer_field(j, "cache_write_tokens");
    r.output_tokens = integer_field(j, "output_tokens");
    r.cost_usd = number_field(j, "cost_usd");
    r.error_type = string_field(j, "error_type");
    r.failure = string_field(j, "failure");
    r.http_status = static_cast<int>(integer_field(j, "http_status").value_or(0));
    r.attempts = static_cast<int>(integer_field(j, "attempts").value_or(0));
    r.retry = static_cast<int>(integer_field(j, "retry").value_or(0));
    r.retry_at = string_field(j, "retry_at");
    r.resume_at = string_field(j, "resume_at");
    r.path = string_field(j, "path");
    r.mime = string_field(j, "mime");
    r.bytes = integer_field(j, "bytes").value_or(0);
    r.width = pixels_field(j, "width");
    r.height = pixels_field(j, "height");
    r.results = hits_from(j);
    r.chosen_by = string_field(j, "chosen_by");
    if (r.type == record_type::loop_detected) {
        r.value = number_field(j, "similarity");
        r.detail = string_field(j, "action");
    }
    if (const auto settings = j.find("settings"); settings != j.end() && settings->is_object()) {
        r.settings = settings->dump();
    }
    r.origin = string_field(j, "origin");
    r.origin_seq = integer_field(j, "origin_seq").value_or(0);
    r.lineage = string_field(j, "lineage");
    r.from_seq = integer_field(j, "from_seq").value_or(0);
    return r;
}

std::string slot_label(int slot) {
    return "AI-" + std::to_string(slot);
}

int slot_from_label(std::string_view label) noexcept {
    constexpr std::string_view prefix = "AI-";
    if (!label.starts_with(prefix)) {
        return 0;
    }
    const auto digits = label.substr(prefix.size());
    int slot = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), slot);
    if (ec != std::errc{} || end != digits.data() + digits.size() || slot < 1) {
        return 0;
    }
    return slot;
}

}  // namespace polylogue::core
