#include "polylogue/config/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "config/sections.hpp"
#include "config/service_values.hpp"
#include "config/yaml_documents.hpp"

namespace polylogue::config {
namespace {

namespace fs = std::filesystem;
using detail::reporter;

struct file_contents {
    std::optional<std::string> text;
    std::string error;  // why text is missing
};

// Opens path for reading into in; why it cannot be, or nullopt.
std::optional<std::string> open_for_reading(const fs::path& path, std::ifstream& in) {
    std::error_code status_error;
    if (fs::is_directory(path, status_error)) {
        return "it is a directory";
    }
    errno = 0;
    in.open(path, std::ios::binary);
    if (!in) {
        const int reason = errno != 0 ? errno : EIO;
        return std::generic_category().message(reason);
    }
    return std::nullopt;
}

// Reads at most max_bytes: a larger file (or an endless one such as /dev/zero) is refused.
file_contents read_file(const fs::path& path, std::uintmax_t max_bytes) {
    std::ifstream in;
    if (std::optional<std::string> problem = open_for_reading(path, in)) {
        return {std::nullopt, std::move(*problem)};
    }
    std::string text;
    std::array<char, 64 * 1024> chunk{};
    while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
        text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes) {
            return {std::nullopt, "it is larger than " + detail::size_text(max_bytes)};
        }
    }
    if (in.bad()) {
        return {std::nullopt, "read error"};
    }
    return {std::move(text), {}};
}

// The first document of text, or nullopt after reporting a syntax error. yaml-cpp would quietly
// ignore further documents, so a second one (a stray "---") is reported too.
std::optional<YAML::Node> parse_document(const std::string& text, std::string_view what,
                                         const detail::yaml_limits& limits, reporter& report) {
    detail::yaml_documents documents;
    try {
        documents = detail::read_documents(text, limits);
    } catch (const YAML::Exception& error) {
        report.error(error.mark, "YAML syntax error: " + error.msg);
        return std::nullopt;
    } catch (const std::exception& error) {
        report.error(YAML::Mark::null_mark(), std::string{"YAML error: "} + error.what());
        return std::nullopt;
    }
    if (documents.refused) {
        report.error(documents.refused->at, documents.refused->message);
        return std::nullopt;
    }
    if (documents.stuck_at) {
        report.error(*documents.stuck_at,
                     "YAML syntax error: unexpected text here (a stray ',' outside [ ] or { }?)");
        return std::nullopt;
    }
    for (const YAML::Mark& other : documents.others) {
        report.error(other, std::string{what} + " is a single YAML document; this is another one");
    }
    return documents.first;
}

std::optional<std::vector<std::string>> parse_script(const std::string& text, reporter& report) {
    const std::optional<YAML::Node> root =
        parse_document(text, "a script", detail::file_yaml_limits, report);
    if (!root) {
        return std::nullopt;
    }
    std::vector<std::string> replies;
    if (root->IsNull()) {
        return replies;  // an empty file: the model never speaks
    }
    if (!root->IsSequence()) {
        report.error(root->Mark(), "a script must be a YAML list of replies (strings), not " +
                                       std::string{detail::node_kind(*root)});
        return std::nullopt;
    }
    bool valid = true;
    for (const YAML::Node& reply : *root) {
        if (!reply.IsScalar()) {
            report.error(reply.Mark(), "each reply must be a string, not " +
                                           std::string{detail::node_kind(reply)});
            valid = false;
            continue;
        }
        replies.push_back(reply.Scalar());
    }
    return valid ? std::optional{std::move(replies)} : std::nullopt;
}

// Paths for one config file: absolute ones to store, and ones as the user wrote them for messages.
struct places {
    fs::path file;             // absolute
    fs::path directory;        // absolute
    fs::path shown_directory;  // the config path's directory as given
};

places places_of(const fs::path& path) {
    std::error_code error;
    fs::path absolute = fs::absolute(path, error);
    if (error) {
        absolute = path;
    }
    absolute = absolute.lexically_normal();
    return {absolute, absolute.parent_path(), path.parent_path()};
}

// Each script is read once, however many models share it, so its problems are reported once.
class script_loader {
  public:
    script_loader(const places& where, refusal& out) : where_{where}, out_{&out} {}

    void load(detail::model_draft& model, reporter& config_report);

  private:
    const places& where_;
    refusal* out_;
    std::map<fs::path, std::optional<std::vector<std::string>>> loaded_;
};

void script_loader::load(detail::model_draft& model, reporter& config_report) {
    const fs::path written{model.script->value};
    const fs::path absolute = (where_.directory / written).lexically_normal();
    model.value.script = absolute;
    auto [entry, first_time] = loaded_.try_emplace(absolute);
    if (first_time) {
        const file_contents contents = read_file(absolute, max_script_file_bytes);
        if (!contents.text) {
            config_report.error(model.script->mark,
                                "cannot read script " + absolute.string() + ": " + contents.error);
        } else {
            reporter script_report{out_->problems, out_->unlisted_problems,
                                   (where_.shown_directory / written).lexically_normal().string()};
            entry->second = parse_script(*contents.text, script_report);
        }
    }
    model.value.script_replies = entry->second.value_or(std::vector<std::string>{});
}

// A CA file is read when the first connection is made, possibly hours later; `check` should
// find a wrong path now.
void resolve_ca_file(const std::optional<detail::located<std::string>>& written,
                     const places& where, fs::path& target, reporter& report) {
    if (!written) {
        return;
    }
    target = (where.directory / written->value).lexically_normal();
    std::ifstream in;
    if (std::optional<std::string> problem = open_for_reading(target, in)) {
        report.error(written->mark, "cannot read ca_file " + target.string() + ": " + *problem);
    }
}

void resolve_ca_files(detail::config_draft& draft, const places& where, reporter& report) {
    for (detail::provider_draft& p : draft.providers) {
        resolve_ca_file(p.ca_file, where, p.value.ca_file, report);
    }
    for (detail::tool_draft& t : draft.tools) {
        resolve_ca_file(t.ca_file, where, t.value.ca_file, report);
    }
}

polylogue::config::config assemble(detail::config_draft& draft, const places& where) {
    polylogue::config::config result;
    result.file = where.file;
    result.data_dir = (where.directory / draft.data_dir).lexically_normal();
    for (detail::provider_draft& p : draft.providers) {
        result.providers.push_back(std::move(p.value));
    }
    for (detail::model_draft& m : draft.models) {
        result.models.push_back(std::move(m.value));
    }
    for (detail::room_draft& r : draft.rooms) {
        result.rooms.push_back(std::move(r.value));
    }
    for (detail::tool_draft& t : draft.tools) {
        result.tools.push_back(std::move(t.value));
    }
    result.control = std::move(draft.service.control);
    // The token file is read when the daemon starts, not by check: a secret may be provisioned
    // after the configuration is written.
    if (draft.service.token_file) {
        result.control.token_file =
            (where.directory / draft.service.token_file->value).lexically_normal();
    }
    result.logging = std::move(draft.service.logging);
    result.store = std::move(draft.service.store);
    result.shutdown_grace = draft.service.shutdown_grace;
    result.budget_usd_per_day = draft.service.budget_usd_per_day;
    return result;
}

// The config's problems first, then each script's in the order they were read; by position
// within each file. Stable, so problems at one position keep the order they were found in.
void sort_problems(std::vector<diagnostic>& problems) {
    std::vector<std::string> files;
    for (const diagnostic& problem : problems) {
        if (std::find(files.begin(), files.end(), problem.file) == files.end()) {
            files.push_back(problem.file);
        }
    }
    const auto rank = [&](const diagnostic& d) {
        return std::find(files.begin(), files.end(), d.file) - files.begin();
    };
    std::stable_sort(
        problems.begin(), problems.end(), [&](const diagnostic& a, const diagnostic& b) {
            return std::tuple{rank(a), a.line, a.column} < std::tuple{rank(b), b.line, b.column};
        });
}

bool nothing_found(const refusal& found) {
    return found.problems.empty() && found.unlisted_problems == 0;
}

}  // namespace

result<polylogue::config::config, refusal> parse_config(std::string_view yaml_text,
                                                        const std::filesystem::path& path) {
    refusal found;
    const places where = places_of(path);
    reporter report{found.problems, found.unlisted_problems, path.string()};
    const std::optional<YAML::Node> root =
        parse_document(std::string{yaml_text}, "a configuration", detail::file_yaml_limits, report);
    if (!root) {
        return found;
    }
    detail::config_draft draft = detail::read_config(*root, report);
    detail::check_references(draft, report);
    resolve_ca_files(draft, where, report);
    script_loader scripts{where, found};
    for (detail::model_draft& model : draft.models) {
        if (model.script) {
            scripts.load(model, report);
        }
    }
    if (nothing_found(found)) {
        return assemble(draft, where);
    }
    sort_problems(found.problems);
    return found;
}

std::string more_problems_text(std::size_t unlisted) {
    return "(and " + std::to_string(unlisted) + " more problem" + (unlisted == 1 ? "" : "s") + ")";
}

result<room, refusal> parse_room(std::string_view yaml_text, const polylogue::config::config& base,
                                 std::string_view source) {
    refusal found;
    reporter report{found.problems, found.unlisted_problems, std::string{source}};
    const std::optional<YAML::Node> root =
        parse_document(std::string{yaml_text}, "a room", detail::room_yaml_limits, report);
    if (!root) {
        return found;
    }
    if (!root->IsMap()) {
        report.error(root->Mark(), "a room is a map with a name and members");
        return found;
    }
    detail::room_draft draft = detail::read_room(*root, report);
    detail::check_new_room(draft, base, report);
    if (nothing_found(found)) {
        return std::move(draft.value);
    }
    sort_problems(found.problems);
    return found;
}

result<polylogue::config::config, refusal> load_config(const std::filesystem::path& path) {
    const file_contents contents = read_file(path, max_config_file_bytes);
    if (!contents.text) {
        refusal unread;
        unread.problems.push_back(diagnostic{
            path.string(), 0, 0, "cannot read " + path.string() + ": " + contents.error});
        return unread;
    }
    return parse_config(*contents.text, path);
}

}  // namespace polylogue::config
