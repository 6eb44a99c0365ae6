#include "polylogue/commands/parser.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "lexer.hpp"

namespace polylogue::commands {
namespace {

constexpr std::size_t npos = std::string_view::npos;

enum class shape { none, quoted, quoted_and_optional, number };

struct command_spec {
    command_name name;
    shape args;
    std::string_view noun;  // what the first argument is called in a rejection's detail
    std::string_view example;
};

constexpr std::array<command_spec, 7> specs{{
    {command_name::image, shape::quoted, "prompt", R"(!image "a red fox")"},
    {command_name::add_ai, shape::quoted_and_optional, "model name",
     R"(!add_ai "Claude Sonnet" "Join us to talk about tides")"},
    {command_name::temperature, shape::number, "number", "!temperature 0.7"},
    {command_name::search, shape::quoted, "query", R"(!search "tallest waterfall in Europe")"},
    {command_name::mute_self, shape::none, "", "!mute_self"},
    {command_name::prompt, shape::quoted, "prompt", R"(!prompt "Answer in one sentence.")"},
    {command_name::list_models, shape::none, "", "!list_models"},
}};

constexpr std::size_t longest_name = 11;  // "temperature", "list_models"
constexpr std::string_view invite_noun = "invite message";

char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_ascii_word(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

const command_spec* find_spec(std::string_view name) noexcept {
    for (const command_spec& spec : specs) {
        if (std::ranges::equal(to_string(spec.name), name, {}, {}, ascii_lower)) {
            return &spec;
        }
    }
    return nullptr;
}

// An argument as found in the text. Only well-formed commands copy it into a string, so that
// commands nested in a rejected one's argument do not copy the same bytes again and again.
struct argument {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t stop = 0;  // just past the closing quote or the number
    bool escapes = false;  // "…": \" and \\ still to resolve
};

enum class arg_error { none, absent, unquoted, empty, unterminated, not_a_number };

struct arg_read {
    arg_error error = arg_error::none;
    argument arg{};
    lexer::quote kind = lexer::quote::straight_double;
};

arg_read failure(arg_error error) {
    arg_read read;
    read.error = error;
    return read;
}

struct command_read {
    std::array<argument, 2> args{};
    std::size_t count = 0;
    std::size_t stop = 0;
    std::string detail;  // why the arguments are malformed; empty when they are fine
};

std::string detail_for(const command_spec& spec, std::string_view noun, const arg_read& read) {
    const std::string name = "!" + std::string(to_string(spec.name));
    const std::string example = ", e.g. " + std::string(spec.example);
    const std::string what(noun);
    switch (read.error) {
        case arg_error::none:
            break;
        case arg_error::absent:
            return name + " needs a quoted " + what + example;
        case arg_error::unquoted:
            return name + " needs its " + what + " in quotes" + example;
        case arg_error::empty:
            return name + " has an empty " + what + example;
        case arg_error::unterminated:
            return name + " has an unterminated " + what + ": no closing " +
                   std::string(lexer::closer_of(read.kind)) + " was found" + example;
        case arg_error::not_a_number:
            return name + " needs a number" + example;
    }
    return {};
}

std::string argument_text(std::string_view text, const argument& arg) {
    const std::string_view raw = text.substr(arg.begin, arg.end - arg.begin);
    if (!arg.escapes) {
        return std::string(raw);
    }
    std::string resolved;
    resolved.reserve(raw.size());
    for (std::size_t pos = 0; pos < raw.size(); ++pos) {
        const bool escape = raw[pos] == '\\' && pos + 1 < raw.size() &&
                            (raw[pos + 1] == '"' || raw[pos + 1] == '\\');
        pos += escape ? 1 : 0;
        resolved.push_back(raw[pos]);
    }
    return resolved;
}

// The message-wide rules: duplicates and the per-message limit apply across code blocks.
class message_results {
  public:
    void add_malformed(command_name name, std::size_t offset, std::size_t name_end,
                       std::string detail) {
        parsed_command& command = append(name, offset, name_end);
        command.status = parse_status::rejected;
        command.detail = std::move(detail);
    }

    void add(command_name name, std::size_t offset, std::size_t stop,
             std::vector<std::string> args) {
        const bool duplicate = is_duplicate(name, args);
        parsed_command& command = append(name, offset, stop);
        command.args = std::move(args);
        if (duplicate) {
            command.status = parse_status::rejected;
            command.detail = "duplicate of an earlier !" + std::string(to_string(name)) +
                             " in this message; carried out once";
        } else if (ok_.size() >= max_commands_per_message) {
            command.status = parse_status::rejected;
            command.detail = "too many commands in one message (at most " +
                             std::to_string(max_commands_per_message) + " are carried out)";
        } else {
            ok_.push_back(commands_.size() - 1);
        }
    }

    std::vector<parsed_command> take() && { return std::move(commands_); }

  private:
    parsed_command& append(command_name name, std::size_t offset, std::size_t stop) {
        parsed_command& command = commands_.emplace_back();
        command.name = name;
        command.offset = offset;
        command.length = stop - offset;
        return command;
    }

    bool is_duplicate(command_name name, const std::vector<std::string>& args) const {
        return std::ranges::any_of(ok_, [&](std::size_t index) {
            return commands_[index].name == name && commands_[index].args == args;
        });
    }

    std::vector<parsed_command> commands_;
    std::vector<std::size_t> ok_;  // indexes of the ok commands, at most the limit
};

struct name_match {
    const command_spec* spec = nullptr;
    std::size_t end = 0;
};

// Finds the commands of one stretch of prose (text outside fenced code blocks).
class prose_parser {
  public:
    prose_parser(std::string_view text, lexer::span prose, message_results& results)
        : text_(text),
          prose_(prose),
          quotes_(text, prose.end),
          code_(text, prose),
          results_(results) {}

    void run();

  private:
    std::size_t at_bang(std::size_t pos);
    name_match name_at(std::size_t pos) const;
    command_read read_command(const command_spec& spec, std::size_t name_end);
    arg_read read_quoted(std::size_t from);
    arg_read read_number(std::size_t from);
    arg_read read_invite(std::size_t from);
    std::size_t skip_blanks(std::size_t pos) const;
    bool at_line_end(std::size_t pos) const;
    bool is_blank(std::size_t begin, std::size_t end) const;

    std::string_view text_;
    lexer::span prose_;
    lexer::quote_finder quotes_;
    lexer::inline_code code_;
    std::map<std::size_t, arg_read> invites_;  // by where the invite may start; see read_invite
    message_results& results_;
};

void prose_parser::run() {
    const std::string_view window = text_.substr(0, prose_.end);
    for (std::size_t pos = window.find_first_of("!`", prose_.begin); pos != npos;
         pos = window.find_first_of("!`", pos)) {
        if (window[pos] == '`') {
            pos = code_.skip(pos);
        } else if (lexer::word_char_before(text_, pos)) {
            ++pos;
        } else {
            pos = at_bang(pos);
        }
    }
}

// Where scanning resumes: past a well-formed command's arguments, but right after the name of
// a malformed one, since its quotes cannot be trusted to delimit anything.
std::size_t prose_parser::at_bang(std::size_t pos) {
    const name_match name = name_at(pos);
    if (name.spec == nullptr) {
        return pos + 1;
    }
    command_read read = read_command(*name.spec, name.end);
    if (!read.detail.empty()) {
        results_.add_malformed(name.spec->name, pos, name.end, std::move(read.detail));
        return name.end;
    }
    std::vector<std::string> args;
    for (std::size_t index = 0; index < read.count; ++index) {
        args.push_back(argument_text(text_, read.args[index]));
    }
    results_.add(name.spec->name, pos, read.stop, std::move(args));
    return read.stop;
}

name_match prose_parser::name_at(std::size_t pos) const {
    std::size_t end = pos + 1;
    while (end < prose_.end && end - pos <= longest_name + 1 && is_ascii_word(text_[end])) {
        ++end;
    }
    // "!imagery", "!imageé" and over-long names are text.
    if (lexer::word_char_at(text_, end)) {
        return {};
    }
    return {find_spec(text_.substr(pos + 1, end - pos - 1)), end};
}

command_read prose_parser::read_command(const command_spec& spec, std::size_t name_end) {
    command_read read;
    read.stop = name_end;
    if (spec.args == shape::none) {
        return read;
    }
    const arg_read first =
        spec.args == shape::number ? read_number(name_end) : read_quoted(name_end);
    if (first.error != arg_error::none) {
        read.detail = detail_for(spec, spec.noun, first);
        return read;
    }
    read.args[read.count++] = first.arg;
    read.stop = first.arg.stop;
    if (spec.args != shape::quoted_and_optional) {
        return read;
    }
    const arg_read second = read_invite(read.stop);
    if (second.error == arg_error::absent) {
        return read;
    }
    if (second.error != arg_error::none) {
        read.detail = detail_for(spec, invite_noun, second);
        return read;
    }
    read.args[read.count++] = second.arg;
    read.stop = second.arg.stop;
    return read;
}

arg_read prose_parser::read_quoted(std::size_t from) {
    const std::size_t pos = skip_blanks(from);
    if (at_line_end(pos)) {
        return failure(arg_error::absent);
    }
    const auto open = lexer::opener_at(text_, pos);
    if (!open) {
        return failure(arg_error::unquoted);
    }
    const std::size_t begin = pos + open->size;
    const std::size_t close = quotes_.closer(open->kind, begin);
    if (close == npos) {
        return {arg_error::unterminated, {}, open->kind};
    }
    const argument arg{begin, close, close + lexer::closer_of(open->kind).size(),
                       open->kind == lexer::quote::straight_double};
    return {is_blank(begin, close) ? arg_error::empty : arg_error::none, arg, open->kind};
}

// A number, bare or quoted. A bare one must end at a non-word character; "0,7" and "1.4.5" are
// refused too rather than read as 0 and 1.4.
arg_read prose_parser::read_number(std::size_t from) {
    const std::size_t pos = skip_blanks(from);
    if (!at_line_end(pos) && lexer::opener_at(text_, pos)) {
        arg_read quoted = read_quoted(pos);
        const argument& arg = quoted.arg;
        const std::string_view number = text_.substr(arg.begin, arg.end - arg.begin);
        const bool malformed = quoted.error == arg_error::empty ||
                               (quoted.error == arg_error::none &&
                                (number.empty() || lexer::number_length(number) != number.size()));
        quoted.error = malformed ? arg_error::not_a_number : quoted.error;
        return quoted;
    }
    const std::size_t length = at_line_end(pos) ? 0 : lexer::number_length(text_.substr(pos));
    const std::size_t stop = pos + length;
    const bool continues = stop + 1 < text_.size() && (text_[stop] == '.' || text_[stop] == ',') &&
                           is_digit(text_[stop + 1]);
    if (length == 0 || continues || lexer::word_char_at(text_, stop)) {
        return failure(arg_error::not_a_number);
    }
    return {arg_error::none, {pos, stop, stop, false}};
}

// Every !add_ai nested in a rejected one's model name (same quote kind) ends at the same closing
// quote, so they would all read the same invite again: remember it to stay linear.
arg_read prose_parser::read_invite(std::size_t from) {
    if (const auto known = invites_.find(from); known != invites_.end()) {
        return known->second;
    }
    const std::size_t pos = skip_blanks(from);
    arg_read read = failure(arg_error::absent);
    if (!at_line_end(pos) && lexer::opener_at(text_, pos)) {
        read = read_quoted(pos);
    }
    invites_.emplace(from, read);
    return read;
}

std::size_t prose_parser::skip_blanks(std::size_t pos) const {
    while (pos < prose_.end && (text_[pos] == ' ' || text_[pos] == '\t')) {
        ++pos;
    }
    return pos;
}

bool prose_parser::at_line_end(std::size_t pos) const {
    return pos >= prose_.end || text_[pos] == '\n' || text_[pos] == '\r';
}

bool prose_parser::is_blank(std::size_t begin, std::size_t end) const {
    return text_.substr(begin, end - begin).find_first_not_of(" \t\r\n") == npos;
}

}  // namespace

std::optional<command_name> command_from_string(std::string_view name) noexcept {
    const command_spec* spec = find_spec(name);
    return spec == nullptr ? std::nullopt : std::optional<command_name>(spec->name);
}

std::vector<parsed_command> parse(std::string_view text) {
    message_results results;
    lexer::prose_segments segments(text);
    while (const auto prose = segments.next()) {
        prose_parser(text, *prose, results).run();
    }
    return std::move(results).take();
}

}  // namespace polylogue::commands
