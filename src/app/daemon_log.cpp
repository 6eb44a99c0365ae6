#include "polylogue/app/daemon_log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <array>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "polylogue/core/text.hpp"

namespace polylogue::app {
namespace {

using spdlog::level::level_enum;

struct level_name {
    std::string_view name;
    level_enum level;
};

// The config's spellings, which are also what JSON lines say ("warn", not spdlog's "warning").
constexpr std::array<level_name, 7> level_names{{{"trace", spdlog::level::trace},
                                                 {"debug", spdlog::level::debug},
                                                 {"info", spdlog::level::info},
                                                 {"warn", spdlog::level::warn},
                                                 {"error", spdlog::level::err},
                                                 {"critical", spdlog::level::critical},
                                                 {"off", spdlog::level::off}}};

constexpr std::string_view text_pattern = "%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v";

std::string_view name_of(level_enum level) noexcept {
    for (const level_name& entry : level_names) {
        if (entry.level == level) {
            return entry.name;
        }
    }
    return "info";
}

// One JSON object per line, so a log shipper can read it without guessing where a multi-line
// message ends. Invalid UTF-8 in a message becomes U+FFFD rather than an unparsable line.
class json_line_formatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        nlohmann::ordered_json line;
        line["time"] = core::format_rfc3339(msg.time);
        line["level"] = name_of(msg.level);
        line["logger"] = std::string{msg.logger_name.data(), msg.logger_name.size()};
        line["message"] = std::string{msg.payload.data(), msg.payload.size()};
        const std::string text =
            line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        dest.append(text.data(), text.data() + text.size());
        dest.push_back('\n');
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<json_line_formatter>();
    }
};

std::unique_ptr<spdlog::formatter> text_formatter() {
    return std::make_unique<spdlog::pattern_formatter>(std::string{text_pattern},
                                                       spdlog::pattern_time_type::utc);
}

struct level_choice {
    level_enum level;
    std::optional<std::string> ignored_variable;  // the variable's value when it names no level
};

level_choice choose_level(const config::logging_settings& settings) {
    const level_enum configured = parse_log_level(settings.level).value_or(spdlog::level::info);
    const char* variable = std::getenv(std::string{log_level_variable}.c_str());
    if (variable == nullptr || *variable == '\0') {
        return {configured, std::nullopt};
    }
    if (const auto chosen = parse_log_level(variable)) {
        return {*chosen, std::nullopt};
    }
    return {configured, core::sanitize_utf8(std::string_view{variable}.substr(0, 64))};
}

}  // namespace

std::optional<level_enum> parse_log_level(std::string_view name) noexcept {
    for (const level_name& entry : level_names) {
        if (entry.name.size() == name.size() &&
            std::equal(name.begin(), name.end(), entry.name.begin(), [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
            })) {
            return entry.level;
        }
    }
    return std::nullopt;
}

std::shared_ptr<spdlog::logger> make_daemon_log(const std::filesystem::path& directory,
                                                const config::logging_settings& settings,
                                                level_enum stderr_level) {
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        (directory / "polylogue.log").string(), static_cast<std::size_t>(settings.max_file_bytes),
        static_cast<std::size_t>(settings.max_files));
    file->set_formatter(settings.json ? std::make_unique<json_line_formatter>() : text_formatter());
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_formatter(text_formatter());
    // The logger's level filters both sinks; stderr's own level only raises its threshold.
    console->set_level(stderr_level);
    auto log =
        std::make_shared<spdlog::logger>("polylogue", spdlog::sinks_init_list{file, console});
    log->flush_on(spdlog::level::info);
    const level_choice choice = choose_level(settings);
    if (choice.ignored_variable) {
        // Said before the level applies, so that even "off" or "error" shows why.
        log->warn(
            "{}='{}' names no log level (trace, debug, info, warn, error, critical, off); "
            "using '{}'",
            log_level_variable, *choice.ignored_variable, name_of(choice.level));
    }
    log->set_level(choice.level);
    return log;
}

level_enum set_daemon_log_level(spdlog::logger& log, const config::logging_settings& settings) {
    const level_enum level = choose_level(settings).level;
    log.set_level(level);
    return level;
}

}  // namespace polylogue::app
