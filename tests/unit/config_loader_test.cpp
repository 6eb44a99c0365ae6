#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "polylogue/config/config.hpp"
#include "polylogue/config/loader.hpp"

namespace polylogue::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Each test gets a fresh directory holding its config and scripts, removed afterwards.
class ConfigLoader : public ::testing::Test {
  protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        dir_ = fs::temp_directory_path() /
               ("polylogue-config-test-" + std::to_string(stamp) + "-" + std::to_string(++counter));
        fs::create_directories(dir_);
    }

    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    fs::path write(const fs::path& relative, std::string_view text) const {
        fs::path path = dir_ / relative;
        fs::create_directories(path.parent_path());
        std::ofstream{path, std::ios::binary} << text;
        return path;
    }

    fs::path config_path() const { return dir_ / "polylogue.yaml"; }

    result<config, refusal> parse(std::string_view text) const {
        return parse_config(text, config_path());
    }

    // The outcome must be valid; prints every problem otherwise.
    config load_valid(std::string_view text) const {
        const result<config, refusal> outcome = parse(text);
        for (const diagnostic& problem : outcome.error().problems) {
            ADD_FAILURE() << problem.to_string();
        }
        EXPECT_TRUE(outcome.has_value());
        return (outcome ? *outcome : config{});
    }

    fs::path dir_;
};

// "LINE:COL: message" for every problem, in the order reported.
std::vector<std::string> located(const result<config, refusal>& outcome) {
    std::vector<std::string> lines;
    for (const diagnostic& problem : outcome.error().problems) {
        lines.push_back(std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
                        problem.message);
    }
    return lines;
}

std::string listing(const result<config, refusal>& outcome) {
    std::string text;
    for (const std::string& line : located(outcome)) {
        text += "\n  " + line;
    }
    return text;
}

// Expects exactly one problem, at line:column, whose message contains fragment.
void expect_one_problem(const result<config, refusal>& outcome, int line, int column,
                        std::string_view fragment) {
    EXPECT_FALSE(outcome.has_value());
    ASSERT_EQ(outcome.error().problems.size(), 1u) << listing(outcome);
    const diagnostic problem = outcome.error().problems.front();
    EXPECT_EQ(problem.line, line) << problem.message;
    EXPECT_EQ(problem.column, column) << problem.message;
    EXPECT_NE(problem.message.find(fragment), std::string::npos)
        << "'" << problem.message << "' lacks '" << fragment << "'";
}

// A valid config around one room whose body (indented four spaces) a test varies.
std::string with_room(std::string_view room_lines) {
    return std::string{
               "providers:\n"
               "  api: { kind: openai, base_url: \"https://api.example/v1\" }\n"
               "models:\n"
               "  - name: Gemini 3 Pro\n"
               "    provider: api\n"
               "    id: gemini-3-pro\n"
               "  - { name: Claude Opus 4.5, provider: api, id: claude-opus-4.5 }\n"
               "rooms:\n"
               "  - name: lab\n"} +
           std::string{room_lines};
}

constexpr std::string_view minimal = R"(providers:
  stage: { kind: scripted }
models:
  - name: Gemini 3 Pro
    provider: stage
    script: scripts/gemini.yaml
rooms:
  - name: phenomenology
    members: [Gemini 3 Pro]
)";

TEST_F(ConfigLoader, MinimalConfigLoadsWithEveryDefault) {
    write("scripts/gemini.yaml", "- first reply\n- \"second reply\"\n");
    const config loaded = load_valid(minimal);
    EXPECT_EQ(loaded.file, config_path());
    EXPECT_EQ(loaded.data_dir, dir_ / "var");
    ASSERT_EQ(loaded.providers.size(), 1u);
    EXPECT_EQ(loaded.providers[0].name, "stage");
    EXPECT_EQ(loaded.providers[0].kind, provider_kind::scripted);
    ASSERT_EQ(loaded.models.size(), 1u);
    const model& gemini = loaded.models[0];
    EXPECT_EQ(gemini.name, "Gemini 3 Pro");
    EXPECT_EQ(gemini.provider, "stage");
    EXPECT_EQ(gemini.script, dir_ / "scripts" / "gemini.yaml");
    EXPECT_EQ(gemini.script_replies, (std::vector<std::string>{"first reply", "second reply"}));
    ASSERT_TRUE(gemini.temperature_range.has_value());
    EXPECT_EQ(gemini.temperature_range->min, 0.0);
    EXPECT_EQ(gemini.temperature_range->max, 2.0);
    EXPECT_EQ(gemini.temperature, 1.0);
    ASSERT_EQ(loaded.rooms.size(), 1u);
    const room& lab = loaded.rooms[0];
    EXPECT_EQ(lab.name, "phenomenology");
    EXPECT_EQ(lab.members, std::vector<std::string>{"Gemini 3 Pro"});
    EXPECT_EQ(lab.max_ais, 5);
    EXPECT_EQ(lab.max_turns, 40);
    EXPECT_EQ(lab.turn_delay, 2s);
    EXPECT_FALSE(lab.opening.has_value());
    EXPECT_EQ(lab.system_prompt, "");
}

constexpr std::string_view full = R"(data_dir: /srv/polylogue/../data
providers:
  stage: { kind: scripted }
  oa: { kind: openai, base_url: "https://api.example", api_key_env: OA_KEY, ca_file: ca.pem }
  an: { kind: anthropic, base_url: "https://api.anthropic.example" }
  ge: { kind: gemini, base_url: "https://gemini.example" }
models:
  - name: Scripted One
    provider: stage
    script: replies/a.yaml
    temperature_range: [0.5, 1.5]
    temperature: 0.7
  - name: GPT Five
    provider: oa
    id: gpt-5
    temperature_range: none
  - name: Claude Opus 4.5
    provider: an
    id: claude-opus-4-5
  - name: Gemini 3 Pro
    provider: ge
    id: gemini-3-pro-preview
rooms:
  - name: the.lab_2-b
    members: [Scripted One, GPT Five, Claude Opus 4.5]
    max_ais: 3
    max_turns: 1000000
    turn_delay: 500ms
    opening: { speaker: janus, text: "HOW INFORMATION FLOWS" }
    system_prompt: "You are {slot} ({model}) in {room} with {members}, at most {max_ais}. {{ok}}"
  - name: quick
    members: [Gemini 3 Pro]
    max_turns: 1
    turn_delay: 0s
  - name: slow
    members: [Gemini 3 Pro]
    turn_delay: 1.5s
  - name: slowest
    members: [Gemini 3 Pro]
    turn_delay: 2m
)";

TEST_F(ConfigLoader, FullConfigKeepsEveryExplicitValue) {
    write("replies/a.yaml", "[]\n");
    write("ca.pem", "");
    const config loaded = load_valid(full);
    EXPECT_EQ(loaded.data_dir, fs::path{"/srv/data"});
    ASSERT_EQ(loaded.providers.size(), 4u);
    EXPECT_EQ(loaded.providers[1].kind, provider_kind::openai);
    EXPECT_EQ(loaded.providers[2].kind, provider_kind::anthropic);
    EXPECT_EQ(loaded.providers[3].kind, provider_kind::gemini);
    ASSERT_EQ(loaded.models.size(), 4u);
    EXPECT_TRUE(loaded.models[0].script_replies.empty());
    EXPECT_EQ(loaded.models[0].temperature_range->min, 0.5);
    EXPECT_EQ(loaded.models[0].temperature_range->max, 1.5);
    EXPECT_EQ(loaded.models[0].temperature, 0.7);
    EXPECT_FALSE(loaded.models[1].temperature_range.has_value());
    EXPECT_TRUE(loaded.models[1].script.empty());
    ASSERT_EQ(loaded.rooms.size(), 4u);
    const room& lab = loaded.rooms[0];
    EXPECT_EQ(lab.max_ais, 3);
    EXPECT_EQ(lab.max_turns, 1000000);
    EXPECT_EQ(lab.turn_delay, 500ms);
    ASSERT_TRUE(lab.opening.has_value());
    EXPECT_EQ(lab.opening->speaker, "janus");
    EXPECT_EQ(lab.opening->text, "HOW INFORMATION FLOWS");
    EXPECT_EQ(lab.system_prompt,
              "You are {slot} ({model}) in {room} with {members}, at most {max_ais}. {{ok}}");
    EXPECT_EQ(loaded.rooms[1].turn_delay, 0ms);
    EXPECT_EQ(loaded.rooms[2].turn_delay, 1500ms);
    EXPECT_EQ(loaded.rooms[3].turn_delay, 2min);
}

TEST_F(ConfigLoader, StartingTemperatureDefaultsToOneClampedIntoRange) {
    const config loaded = load_valid(R"(providers: { api: { kind: openai, base_url: "http://x" } }
models:
  - { name: Hot, provider: api, temperature_range: [1.5, 2], id: hot }
  - { name: Cold, provider: api, temperature_range: [0, 0.5], id: cold }
  - { name: Wide, provider: api, temperature_range: [0, 5], temperature: 4.5, id: wide }
rooms: []
)");
    ASSERT_EQ(loaded.models.size(), 3u);
    EXPECT_EQ(loaded.models[0].temperature, 1.5);
    EXPECT_EQ(loaded.models[1].temperature, 0.5);
    EXPECT_EQ(loaded.models[2].temperature, 4.5);
}

TEST_F(ConfigLoader, MembersMatchCaseInsensitivelyAndKeepCatalogueSpelling) {
    const config loaded = load_valid(with_room("    members: [claude OPUS 4.5, gemini 3 pro]\n"));
    ASSERT_EQ(loaded.rooms.size(), 1u);
    EXPECT_EQ(loaded.rooms[0].members,
              (std::vector<std::string>{"Claude Opus 4.5", "Gemini 3 Pro"}));
}

TEST_F(ConfigLoader, ModelProviderMatchesCaseInsensitivelyAndKeepsDefinedSpelling) {
    const config loaded =
        load_valid(R"(providers: { OpenAI: { kind: openai, base_url: "http://x" } }
models: [{ name: GPT, provider: openai, id: gpt }]
)");
    ASSERT_EQ(loaded.models.size(), 1u);
    EXPECT_EQ(loaded.models[0].provider, "OpenAI");
}

TEST_F(ConfigLoader, FindFunctionsIgnoreCase) {
    const config loaded = load_valid(with_room("    members: [Gemini 3 Pro]\n"));
    ASSERT_NE(loaded.find_model("GEMINI 3 PRO"), nullptr);
    EXPECT_EQ(loaded.find_model("gemini 3 pro")->name, "Gemini 3 Pro");
    EXPECT_EQ(loaded.find_model("Gemini 3"), nullptr);
    ASSERT_NE(loaded.find_provider("API"), nullptr);
    EXPECT_EQ(loaded.find_provider("API")->kind, provider_kind::openai);
    ASSERT_NE(loaded.find_room("LAB"), nullptr);
    EXPECT_EQ(loaded.find_room("labs"), nullptr);
}

TEST_F(ConfigLoader, RelativeDataDirResolvesBesideTheConfigFile) {
    const config loaded = load_valid("data_dir: state/../run\nrooms: []\n");
    EXPECT_EQ(loaded.data_dir, dir_ / "run");
}

TEST_F(ConfigLoader, SectionsMayBeOmittedOrEmpty) {
    const config loaded = load_valid("providers:\nmodels: []\n");
    EXPECT_TRUE(loaded.providers.empty());
    EXPECT_TRUE(loaded.models.empty());
    EXPECT_TRUE(loaded.rooms.empty());
}

TEST_F(ConfigLoader, LoadConfigReadsTheFileFromDisk) {
    write("scripts/gemini.yaml", "- hello\n");
    const result<config, refusal> outcome = load_config(write("polylogue.yaml", minimal));
    ASSERT_TRUE(outcome.has_value()) << listing(outcome);
    EXPECT_EQ(outcome->file, config_path());
    EXPECT_EQ(outcome->models[0].script_replies, std::vector<std::string>{"hello"});
}

TEST_F(ConfigLoader, MissingFileGivesOneDiagnosticWithoutPosition) {
    const fs::path missing = dir_ / "absent.yaml";
    const result<config, refusal> outcome = load_config(missing);
    expect_one_problem(outcome, 0, 0, "cannot read " + missing.string() + ": ");
    EXPECT_EQ(outcome.error().problems[0].file, missing.string());
    EXPECT_EQ(
        outcome.error().problems[0].to_string(),
        missing.string() + ": cannot read " + missing.string() + ": No such file or directory");
}

TEST_F(ConfigLoader, DirectoryInsteadOfFileCannotBeRead) {
    expect_one_problem(load_config(dir_), 0, 0, "it is a directory");
}

TEST_F(ConfigLoader, DiagnosticPrintsFileLineAndColumn) {
    const diagnostic located_problem{"a/b.yaml", 3, 7, "something is wrong"};
    EXPECT_EQ(located_problem.to_string(), "a/b.yaml:3:7: something is wrong");
    const diagnostic unplaced{"a/b.yaml", 0, 0, "cannot read a/b.yaml: gone"};
    EXPECT_EQ(unplaced.to_string(), "a/b.yaml: cannot read a/b.yaml: gone");
}

TEST_F(ConfigLoader, ProblemsNameTheConfigPathAsGiven) {
    const result<config, refusal> outcome = parse_config("rooms: 5\n", "some/dir/polylogue.yaml");
    ASSERT_EQ(outcome.error().problems.size(), 1u);
    EXPECT_EQ(outcome.error().problems[0].to_string(),
              "some/dir/polylogue.yaml:1:8: rooms must be a list of rooms, not a scalar");
}

TEST_F(ConfigLoader, SyntaxErrorIsReportedAtItsPosition) {
    expect_one_problem(parse("rooms:\n  - name: lab\n    members: [a, b\n"), 4, 1,
                       "YAML syntax error: end of sequence flow not found");
}

TEST_F(ConfigLoader, EmptyConfigurationIsRefused) {
    expect_one_problem(parse("# nothing here\n"), 0, 0, "the configuration is empty");
    expect_one_problem(parse("- a\n- b\n"), 1, 1, "the configuration is not a map");
}

TEST_F(ConfigLoader, SecondYamlDocumentIsRefused) {
    expect_one_problem(parse("rooms: []\n---\nrooms: []\n"), 3, 1,
                       "a configuration is a single YAML document");
    EXPECT_TRUE(parse("rooms: []\n---\n").has_value());
}

// After a stray ',' yaml-cpp's LoadAll yields empty documents forever, until memory runs out
// (found by tests/fuzz/config_loader_fuzz.cpp): a config file or a room sent to the control API
// could take the daemon down.
TEST_F(ConfigLoader, AStrayCommaAfterTheDocumentIsASyntaxErrorNotAnEndlessParse) {
    expect_one_problem(parse("{rooms: []},\n"), 1, 12, "YAML syntax error: unexpected text");
    expect_one_problem(parse(","), 1, 1, "YAML syntax error: unexpected text");
    write("scripts/gemini.yaml", "- a reply\n");
    const config base = load_valid(minimal);
    const result<room, refusal> room =
        parse_room("name: late\nmembers: [Gemini 3 Pro]\n...\n,", base, "body");
    EXPECT_FALSE(room.has_value());
    ASSERT_EQ(room.error().problems.size(), 1u);
    EXPECT_EQ(
        room.error().problems[0].to_string(),
        "body:4:1: YAML syntax error: unexpected text here (a stray ',' outside [ ] or { }?)");
}

TEST_F(ConfigLoader, UnknownKeySuggestsNearestKey) {
    expect_one_problem(
        parse(with_room("    memebers: [Gemini 3 Pro]\n    members: [Gemini 3 Pro]\n")), 10, 5,
        "unknown key 'memebers' in a room; did you mean 'members'?");
}

TEST_F(ConfigLoader, UnknownKeyWithoutNearKeyListsTheKnownKeys) {
    expect_one_problem(parse("rooms: []\ncolour: blue\n"), 2, 1,
                       "unknown key 'colour' in the configuration; expected 'data_dir', "
                       "'providers', 'models', 'rooms'");
}

TEST_F(ConfigLoader, UnknownKeysAreReportedAtEveryLevel) {
    const result<config, refusal> outcome = parse(R"(modles: []
providers:
  api: { kind: openai, base_ur: x, base_url: "http://x" }
models:
  - { name: A, provider: api, temprature: 1, id: a }
rooms:
  - name: lab
    members: [A]
    opening: { speaker: janus, txt: hi, text: hi }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "1:1: unknown key 'modles' in the configuration; did you mean 'models'?",
                  "3:24: unknown key 'base_ur' in provider 'api'; did you mean 'base_url'?",
                  "5:31: unknown key 'temprature' in a model; did you mean 'temperature'?",
                  "9:32: unknown key 'txt' in an opening; did you mean 'text'?",
              }));
}

TEST_F(ConfigLoader, KeysAreCaseSensitiveButSuggestTheirLowerCaseSpelling) {
    expect_one_problem(parse("Rooms: []\n"), 1, 1, "did you mean 'rooms'?");
}

TEST_F(ConfigLoader, DuplicateKeyIsRefused) {
    expect_one_problem(parse(with_room("    members: [Gemini 3 Pro]\n    max_ais: 2\n"
                                       "    max_ais: 3\n")),
                       12, 5, "duplicate key 'max_ais'; first at 11:5");
}

TEST_F(ConfigLoader, WrongTypesAreReported) {
    const result<config, refusal> outcome = parse(R"(data_dir: [var]
providers:
  api: openai
models:
  - name: { first: Gemini }
    provider: api
  - plain text
rooms:
  - name: lab
    members: Gemini 3 Pro
    max_ais: five
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "1:11: data_dir must be a string, not a list",
                  "3:8: provider 'api' must be a map such as { kind: scripted }",
                  "5:11: name must be a string, not a map",
                  "7:5: each model must be a map with a name and a provider, not a scalar",
                  "10:14: members must be a list of model names, not a scalar",
                  "11:14: max_ais must be an integer from 1 to 5",
              }));
}

TEST_F(ConfigLoader, EmptyValueIsReportedAtItsKey) {
    expect_one_problem(parse(with_room("    members:\n\n\n    max_turns: 3\n")), 10, 5,
                       "members has no value; expected a list of model names");
}

TEST_F(ConfigLoader, RoomLimitsOutsideTheirRangesAreRefused) {
    const result<config, refusal> outcome = parse(with_room(R"(    members: [Gemini 3 Pro]
  - { name: a, members: [Gemini 3 Pro], max_ais: 0 }
  - { name: b, members: [Gemini 3 Pro], max_ais: 6 }
  - { name: c, members: [Gemini 3 Pro], max_turns: 0 }
  - { name: d, members: [Gemini 3 Pro], max_turns: 1000001 }
  - { name: e, members: [Gemini 3 Pro], max_turns: 40.0 }
  - { name: f, members: [Gemini 3 Pro], max_ais: +3 }
)"));
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "11:50: max_ais must be an integer from 1 to 5",
                                    "12:50: max_ais must be an integer from 1 to 5",
                                    "13:52: max_turns must be an integer from 1 to 1000000",
                                    "14:52: max_turns must be an integer from 1 to 1000000",
                                    "15:52: max_turns must be an integer from 1 to 1000000",
                                    "16:50: max_ais must be an integer from 1 to 5",
                                }));
}

TEST_F(ConfigLoader, TemperatureRangeAndTemperatureAreChecked) {
    const result<config, refusal> outcome =
        parse(R"(providers: { api: { kind: openai, base_url: "http://x" } }
models:
  - { name: A, provider: api, temperature_range: [2, 1], id: x }
  - { name: B, provider: api, temperature_range: [0, 6], id: x }
  - { name: C, provider: api, temperature_range: [-1, 1], id: x }
  - { name: D, provider: api, temperature_range: [0, 1, 2], id: x }
  - { name: E, provider: api, temperature_range: nope, id: x }
  - { name: F, provider: api, temperature: 2.5, id: x }
  - { name: G, provider: api, temperature_range: [0, 1], temperature: 1.5abc, id: x }
  - { name: H, provider: api, temperature_range: none, temperature: 1, id: x }
  - { name: I, provider: api, temperature: nan, id: x }
)");
    const std::string range_rule =
        "temperature_range must be [min, max] with 0 <= min <= max <= 5, or none";
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "3:50: " + range_rule,
                                    "4:50: " + range_rule,
                                    "5:50: " + range_rule,
                                    "6:50: " + range_rule,
                                    "7:50: " + range_rule,
                                    "8:44: temperature must be a number from 0 to 2",
                                    "9:71: temperature must be a number from 0 to 1",
                                    "10:56: temperature is set but temperature_range is none",
                                    "11:44: temperature must be a number from 0 to 2",
                                }));
}

TEST_F(ConfigLoader, TurnDelayNeedsAUnitAndAtMostAnHour) {
    for (const std::string_view bad : {"2 seconds", "-1s", "1.5abc", "2", "2h", "61m", "3600001ms",
                                       "0.5ms", ".5s", "1.s", "s", "1e3ms", "\"\""}) {
        const result<config, refusal> outcome = parse(
            with_room("    members: [Gemini 3 Pro]\n    turn_delay: " + std::string{bad} + "\n"));
        SCOPED_TRACE(bad);
        expect_one_problem(outcome, 11, 17, "turn_delay must be a duration from 0s to 1h");
    }
    const config loaded =
        load_valid(with_room("    members: [Gemini 3 Pro]\n    turn_delay: 60m\n"));
    EXPECT_EQ(loaded.rooms.at(0).turn_delay, 1h);
}

TEST_F(ConfigLoader, RequiredKeysMissingAreReportedAtTheEnclosingMap) {
    const result<config, refusal> outcome = parse(R"(providers:
  api: { base_url: "https://x" }
models:
  - provider: api
  - name: Lonely
rooms:
  - members: [Lonely]
  - name: quiet
  - name: opened
    members: [Lonely]
    opening: { speaker: janus }
)");
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "2:8: provider 'api' is missing required key 'kind'",
                                    "4:5: a model is missing required key 'name'",
                                    "5:5: model 'Lonely' is missing required key 'provider'",
                                    "7:5: a room is missing required key 'name'",
                                    "8:5: room 'quiet' is missing required key 'members'",
                                    "11:14: opening is missing required key 'text'",
                                }));
}

TEST_F(ConfigLoader, RoomNeedsAtLeastOneMember) {
    expect_one_problem(parse(with_room("    members: []\n")), 10, 14,
                       "members must name at least one model");
}

TEST_F(ConfigLoader, MisspeltMemberSuggestsNearestCatalogueName) {
    expect_one_problem(parse(with_room("    members: [Gemini 3 Pro, claude opus 4.6]\n")), 10, 29,
                       "'claude opus 4.6' is not in the models catalogue; did you mean "
                       "'Claude Opus 4.5'?");
}

TEST_F(ConfigLoader, UnknownMemberWithoutNearNameListsTheCatalogue) {
    expect_one_problem(parse(with_room("    members: [Llama]\n")), 10, 15,
                       "'Llama' is not in the models catalogue; the models are 'Gemini 3 Pro', "
                       "'Claude Opus 4.5'");
}

TEST_F(ConfigLoader, PartOfAModelNameSuggestsTheWholeName) {
    expect_one_problem(parse(with_room("    members: [Claude]\n")), 10, 15,
                       "did you mean 'Claude Opus 4.5'?");
}

TEST_F(ConfigLoader, UndefinedProviderIsRefusedWithSuggestion) {
    write("a.yaml", "- hi\n");
    expect_one_problem(parse("providers: { stage: { kind: scripted } }\n"
                             "models: [{ name: A, provider: stgae, script: a.yaml }]\n"),
                       2, 31, "provider 'stgae' is not defined; did you mean 'stage'?");
    expect_one_problem(parse("models: [{ name: A, provider: api }]\n"), 1, 31,
                       "provider 'api' is not defined; no providers are defined");
}

TEST_F(ConfigLoader, UnknownProviderKindSuggestsNearestKind) {
    expect_one_problem(parse("providers: { api: { kind: opneai } }\n"), 1, 27,
                       "unknown provider kind 'opneai'; did you mean 'openai'?");
}

TEST_F(ConfigLoader, EndpointKeysAreStringsAndOnlyForApiProviders) {
    const result<config, refusal> outcome = parse(R"(providers:
  api: { kind: gemini, base_url: [x], api_key_env: KEY }
  stage: { kind: scripted, ca_file: ca.pem }
)");
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "2:34: base_url must be a string, not a list",
                  "3:28: ca_file is for openai, anthropic and gemini providers, not scripted ones",
              }));
}

TEST_F(ConfigLoader, ScriptedModelWithoutScriptIsRefused) {
    expect_one_problem(parse("providers: { stage: { kind: scripted } }\n"
                             "models:\n  - name: A\n    provider: stage\n"),
                       3, 5, "model 'A' uses scripted provider 'stage' and needs a script");
}

TEST_F(ConfigLoader, ScriptOnNonScriptedModelIsRefused) {
    expect_one_problem(parse("providers: { api: { kind: anthropic, base_url: \"http://x\" } }\n"
                             "models:\n  - name: A\n    provider: api\n    script: a.yaml\n"
                             "    id: a\n"),
                       5, 5, "script is only for scripted providers; 'api' is of kind anthropic");
}

TEST_F(ConfigLoader, MissingScriptFileNamesTheResolvedPath) {
    const result<config, refusal> outcome = parse(
        "providers: { stage: { kind: scripted } }\n"
        "models:\n  - name: A\n    provider: stage\n"
        "    script: scripts/../lines/a.yaml\n");
    const fs::path resolved = dir_ / "lines" / "a.yaml";
    expect_one_problem(outcome, 5, 13,
                       "cannot read script " + resolved.string() + ": No such file or directory");
    EXPECT_EQ(outcome.error().problems.at(0).file, config_path().string());
}

TEST_F(ConfigLoader, ScriptThatIsNotAListIsReportedInTheScriptFile) {
    const fs::path script = write("a.yaml", "# replies\nfirst: hello\n");
    const result<config, refusal> outcome = parse(
        "providers: { stage: { kind: scripted } }\n"
        "models: [{ name: A, provider: stage, script: a.yaml }]\n");
    expect_one_problem(outcome, 2, 1,
                       "a script must be a YAML list of replies (strings), not a map");
    EXPECT_EQ(outcome.error().problems.at(0).file, script.string());
}

TEST_F(ConfigLoader, ScriptRepliesMustBeStrings) {
    write("a.yaml", "- hello\n- [not, a, string]\n- { nor: this }\n- fine\n");
    const result<config, refusal> outcome = parse(
        "providers: { stage: { kind: scripted } }\n"
        "models: [{ name: A, provider: stage, script: a.yaml }]\n");
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "2:3: each reply must be a string, not a list",
                                    "3:3: each reply must be a string, not a map",
                                }));
}

TEST_F(ConfigLoader, ScriptSyntaxErrorIsReportedInTheScriptFile) {
    const fs::path script = write("a.yaml", "- hello\n- [unclosed\n");
    const result<config, refusal> outcome = parse(
        "providers: { stage: { kind: scripted } }\n"
        "models: [{ name: A, provider: stage, script: a.yaml }]\n");
    ASSERT_EQ(outcome.error().problems.size(), 1u) << listing(outcome);
    EXPECT_EQ(outcome.error().problems[0].file, script.string());
    EXPECT_EQ(outcome.error().problems[0].line, 3);
    EXPECT_NE(outcome.error().problems[0].message.find("YAML syntax error"), std::string::npos);
}

TEST_F(ConfigLoader, EmptyScriptsAreAllowed) {
    write("empty.yaml", "");
    write("list.yaml", "[]\n");
    const config loaded = load_valid(R"(providers: { stage: { kind: scripted } }
models:
  - { name: A, provider: stage, script: empty.yaml }
  - { name: B, provider: stage, script: list.yaml }
)");
    ASSERT_EQ(loaded.models.size(), 2u);
    EXPECT_TRUE(loaded.models[0].script_replies.empty());
    EXPECT_TRUE(loaded.models[1].script_replies.empty());
}

TEST_F(ConfigLoader, ScriptSharedByTwoModelsIsReportedOnce) {
    write("shared.yaml", "not: a list\n");
    const result<config, refusal> outcome = parse(R"(providers: { stage: { kind: scripted } }
models:
  - { name: A, provider: stage, script: shared.yaml }
  - { name: B, provider: stage, script: ./shared.yaml }
)");
    EXPECT_EQ(outcome.error().problems.size(), 1u) << listing(outcome);
}

TEST_F(ConfigLoader, DuplicateNamesAreRefusedIgnoringCase) {
    const result<config, refusal> outcome = parse(R"(providers:
  api: { kind: openai, base_url: "http://x" }
  API: { kind: openai, base_url: "http://x" }
models:
  - { name: Gemini 3 Pro, provider: api, id: x }
  - { name: GEMINI 3 PRO, provider: api, id: x }
rooms:
  - { name: lab, members: [Gemini 3 Pro, gemini 3 pro] }
  - { name: Lab, members: [Gemini 3 Pro] }
)");
    EXPECT_EQ(located(outcome), (std::vector<std::string>{
                                    "3:3: duplicate provider name 'API'; first at 2:3",
                                    "6:13: duplicate model name 'GEMINI 3 PRO'; first at 5:13",
                                    "8:42: 'gemini 3 pro' is already a member of this room (AI-1)",
                                    "9:13: duplicate room name 'Lab'; first at 8:13",
                                }));
}

TEST_F(ConfigLoader, MoreMembersThanMaxAisIsRefused) {
    expect_one_problem(parse(with_room("    max_ais: 1\n"
                                       "    members: [Gemini 3 Pro, Claude Opus 4.5]\n")),
                       11, 14, "the room has 2 members but max_ais is 1");
}

// One model "A" and one room whose name and body lines a test chooses.
std::string named_room(std::string_view name, std::string_view body = "    members: [A]\n") {
    return "providers: { api: { kind: openai, base_url: \"http://x\" } }\n"
           "models: [{ name: A, provider: api, id: a }]\n"
           "rooms:\n"
           "  - name: \"" +
           std::string{name} + "\"\n" + std::string{body};
}

TEST_F(ConfigLoader, RoomNameMustBeASafeFileName) {
    const std::string too_long(65, 'a');
    const std::vector<std::string> bad_names{"../evil",     ".hidden", "a b",   "a/b",
                                             "caf\xC3\xA9", "",        too_long};
    for (const std::string& bad : bad_names) {
        SCOPED_TRACE(bad);
        expect_one_problem(parse(named_room(bad)), 4, 11,
                           bad.empty() ? "name must not be empty"
                                       : "' must be 1 to 64 characters of A-Z, a-z, 0-9");
    }
    const std::string longest(64, 'z');
    const config loaded =
        load_valid(named_room("the.lab_2-b") + "  - name: " + longest + "\n    members: [A]\n");
    EXPECT_EQ(loaded.rooms.at(1).name, longest);
}

TEST_F(ConfigLoader, ModelNameMustBeAPrintableNameWithoutQuotes) {
    expect_one_problem(parse("providers: { api: { kind: openai, base_url: \"http://x\" } }\n"
                             "models: [{ name: 'Say \"hi\"', provider: api, id: x }]\n"),
                       2, 18, "must be 1 to 64 characters, without '\"'");
}

TEST_F(ConfigLoader, OpeningSpeakerMustBeAHumanName) {
    for (const std::string_view slot : {"AI-1", "ai-2", "AI 3", "ai_4", "AI5"}) {
        SCOPED_TRACE(slot);
        expect_one_problem(parse(named_room("lab", "    members: [A]\n    opening: { speaker: " +
                                                       std::string{slot} + ", text: hi }\n")),
                           6, 25, "looks like an AI slot");
    }
    expect_one_problem(parse(named_room("lab", "    members: [A]\n    opening: { speaker: " +
                                                   std::string(65, 'j') + ", text: hi }\n")),
                       6, 25, "opening speaker must be 1 to 64 characters");
    const config loaded = load_valid(
        named_room("lab", "    members: [A]\n    opening: { speaker: AIden, text: hi }\n"));
    EXPECT_EQ(loaded.rooms.at(0).opening->speaker, "AIden");
}

TEST_F(ConfigLoader, OpeningMustBeAMap) {
    expect_one_problem(parse(named_room("lab", "    members: [A]\n    opening: hello\n")), 6, 14,
                       "opening must be a map with a speaker and a text, not a scalar");
}

TEST_F(ConfigLoader, SystemPromptPlaceholdersMustBeKnown) {
    const result<config, refusal> outcome =
        parse(named_room("lab", "    members: [A]\n    system_prompt: \"{slot} {name} {x\"\n"));
    EXPECT_EQ(located(outcome),
              (std::vector<std::string>{
                  "6:20: unknown placeholder '{name}' in system_prompt; the known ones are "
                  "{slot} {model} {members} {room} {max_ais} {commands}",
                  "6:20: stray '{' in system_prompt; write '{{' for a literal brace",
              }));
    expect_one_problem(parse(named_room("lab", "    members: [A]\n    system_prompt: \"a } b\"\n")),
                       6, 20, "stray '}' in system_prompt; write '}}' for a literal brace");
    EXPECT_TRUE(parse(named_room("lab", "    members: [A]\n    system_prompt: \"{{a}} }} {{\"\n"))
                    .has_value());
}

TEST_F(ConfigLoader, DefaultSystemPromptIsAValidTemplate) {
    const std::string_view prompt = default_system_prompt();
    for (const std::string_view needed :
         {"{slot}", "{model}", "{room}", "{members}", "{max_ais}", "{commands}"}) {
        EXPECT_NE(prompt.find(needed), std::string_view::npos) << needed;
    }
    // The commands come from {commands}, which lists only those the room can carry out.
    EXPECT_EQ(prompt.find('!'), std::string_view::npos);
    // A room may spell the default out; it must pass its own check.
    std::string quoted;
    for (const char c : prompt) {
        quoted += c == '\n'  ? std::string{"\\n"}
                  : c == '"' ? std::string{"\\\""}
                             : std::string(1, c);
    }
    EXPECT_TRUE(
        parse(named_room("lab", "    members: [A]\n    system_prompt: \"" + quoted + "\"\n"))
            .has_value());
}

TEST_F(ConfigLoader, HostileInputIsReportedNeverThrown) {
    const std::string deep = "rooms: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    const std::vector<std::string> inputs{
        deep,
        std::string{"rooms:\n\t- name: x\n"},
        std::string{"rooms: [\0]\n", 11},
        "\xFF\xFE\xFD: \xC3\x28\n",
        "rooms: [{ name: *nowhere }]\n",
        "? [a, b]\n: c\n",
        "{ [rooms]: [] }\n",
        "rooms: [{ name: a, members: [{ x: 1 }, [y], ~] }]\n",
        "rooms: [{ name: a, members: [A], max_ais: 99999999999999999999999 }]\n",
        "models: [{ name: A, provider: p, temperature: 1e400 }]\n",
        "%YAML 1.3\n--- \nrooms: []\n",
        "rooms: !!binary aGVsbG8=\n",
        "&a rooms: *a\n",
        "models: [{ name: A, provider: p, script: \"\" }]\n",
        "providers: { ? [x] : { kind: openai } }\n",
    };
    for (const std::string& input : inputs) {
        SCOPED_TRACE(input.substr(0, 60));
        result<config, refusal> outcome;
        EXPECT_NO_THROW(outcome = parse(input));
        EXPECT_NE(outcome.has_value(), !outcome.error().problems.empty());
    }
}

TEST_F(ConfigLoader, SeveralProblemsAreReportedAtOnceInPositionOrder) {
    write("bad.yaml", "- fine\n- [no]\n");
    const result<config, refusal> outcome = parse(R"(providers:
  stage: { kind: scripted }
rooms:
  - name: lab
    members: [Gemini 3 Pr, Ghost]
    max_ais: 9
models:
  - name: Gemini 3 Pro
    provider: stage
    script: bad.yaml
  - name: B
    provider: nowhere
data_dri: var
)");
    std::vector<std::string> printed;
    for (const diagnostic& problem : outcome.error().problems) {
        printed.push_back(problem.to_string());
    }
    const std::string config_file = config_path().string();
    EXPECT_EQ(printed,
              (std::vector<std::string>{
                  config_file + ":5:15: 'Gemini 3 Pr' is not in the models catalogue; did you "
                                "mean 'Gemini 3 Pro'?",
                  config_file + ":5:28: 'Ghost' is not in the models catalogue; the models are "
                                "'Gemini 3 Pro', 'B'",
                  config_file + ":6:14: max_ais must be an integer from 1 to 5",
                  config_file + ":12:15: provider 'nowhere' is not defined; defined providers are "
                                "'stage'",
                  config_file + ":13:1: unknown key 'data_dri' in the configuration; did you mean "
                                "'data_dir'?",
                  (dir_ / "bad.yaml").string() + ":2:3: each reply must be a string, not a list",
              }));
    EXPECT_FALSE(outcome.has_value());
}

}  // namespace
}  // namespace polylogue::config
