#pragma once
// The first pass over a configuration: each section read on its own, every local problem
// reported. What needs more than one section (providers named by models, members and tools named
// by rooms) or the disk (scripts, CA files) is left to later passes, so drafts keep the positions
// those need.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/report.hpp"
#include "config/yaml_reader.hpp"
#include "polylogue/config/config.hpp"

namespace polylogue::config::detail {

template <class T>
struct located {
    T value;
    YAML::Mark mark;
};

struct provider_draft {
    provider value;
    YAML::Mark mark;                              // the provider's name
    bool valid = false;                           // its kind is known
    std::optional<located<std::string>> ca_file;  // as written
};

struct model_draft {
    model value;
    YAML::Mark mark;                      // the model's map
    std::optional<YAML::Mark> name_mark;  // set when the name is valid
    std::optional<located<std::string>> provider;
    std::optional<YAML::Mark> script_key;        // set when the key is present at all
    std::optional<located<std::string>> script;  // the path as written, when it is a string
    std::optional<YAML::Mark> id_key;            // set when the key is present at all
};

struct room_draft {
    room value;
    YAML::Mark mark;                            // the room's map
    std::optional<YAML::Mark> name_mark;        // set when the name is valid
    std::vector<located<std::string>> members;  // as written
    YAML::Mark members_mark;
    std::optional<located<std::string>> image_tool;  // tool names as written
    std::optional<located<std::string>> search_tool;
    std::vector<double> talkativeness;  // of members[i], as written; default_talkativeness
    std::optional<located<std::string>> selector;  // the model's name as written
    YAML::Mark turn_order_mark;
};

struct tool_draft {
    tool value;
    YAML::Mark mark;                      // the tool's map
    std::optional<YAML::Mark> name_mark;  // set when the name is valid
    bool valid = false;                   // its kind is known
    std::optional<located<std::string>> ca_file;
};

// control, logging, shutdown_grace and budget_usd_per_day: how the daemon runs, as opposed to what
// it runs.
struct service_draft {
    control_settings control;                        // token_file is left empty here
    std::optional<located<std::string>> token_file;  // as written, resolved by the loader
    logging_settings logging;
    store_settings store;
    std::chrono::milliseconds shutdown_grace{3000};
    std::optional<double> budget_usd_per_day;
};

struct config_draft {
    std::string data_dir = "var";
    std::vector<provider_draft> providers;
    std::vector<model_draft> models;
    std::vector<room_draft> rooms;
    std::vector<tool_draft> tools;
    service_draft service;
};

// root is the document's root node, whatever it is.
config_draft read_config(const YAML::Node& root, reporter& report);

// The checks between sections: unique names, providers that models name, members and tools that
// rooms name. Canonical spellings replace the written ones. Models whose script must not be
// loaded (their provider is not scripted) lose their script.
void check_references(config_draft& draft, reporter& report);

// The sections read_config reads, each kept in a file of its own for size.
std::vector<provider_draft> read_providers(const field& section, reporter& report);
std::vector<room_draft> read_rooms(const field& section, reporter& report);
room_draft read_room(const YAML::Node& node, reporter& report);

// The room keys an operator may change while the room runs (room_settings.hpp), from view into
// target; skip_nulls leaves a key whose value is null alone (a PATCH's "back to the file").
void read_room_settings(const map_view& view, room& target, reporter& report, bool skip_nulls);

// The checks check_references makes for one room, against an assembled configuration: what
// a room created over the control API must pass.
void check_new_room(room_draft& room, const config& base, reporter& report);
std::vector<tool_draft> read_tools(const field& section, reporter& report);
// control, logging and shutdown_grace, read from the configuration's top-level map.
service_draft read_service(const map_view& top, reporter& report);
// The store section (store_section.cpp).
void read_store(const field& section, store_settings& target, reporter& report);

}  // namespace polylogue::config::detail
