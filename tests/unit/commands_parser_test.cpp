#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "polylogue/commands/parser.hpp"

namespace polylogue::commands {
namespace {

using args_t = std::vector<std::string>;
using status = parse_status;

// The one command in text; fails the test when there is not exactly one.
parsed_command only(std::string_view text) {
    const auto commands = parse(text);
    EXPECT_EQ(commands.size(), 1U) << "in: " << text;
    return commands.empty() ? parsed_command{} : commands.front();
}

void expect_ok(std::string_view text, command_name name, const args_t& args) {
    const parsed_command command = only(text);
    EXPECT_EQ(command.name, name) << "in: " << text;
    EXPECT_EQ(command.status, status::ok) << "in: " << text << "\ndetail: " << command.detail;
    EXPECT_EQ(command.args, args) << "in: " << text;
    EXPECT_TRUE(command.detail.empty()) << "in: " << text;
}

void expect_rejected(std::string_view text, command_name name, std::string_view detail = {}) {
    const parsed_command command = only(text);
    EXPECT_EQ(command.name, name) << "in: " << text;
    EXPECT_EQ(command.status, status::rejected) << "in: " << text;
    EXPECT_FALSE(command.detail.empty()) << "in: " << text;
    if (!detail.empty()) {
        EXPECT_EQ(command.detail, detail) << "in: " << text;
    }
}

void expect_text(std::string_view text) {
    EXPECT_TRUE(parse(text).empty()) << "in: " << text;
}

// --- names

TEST(CommandParser, RecognizesEveryCommand) {
    expect_ok(R"(!image "a red fox")", command_name::image, {"a red fox"});
    expect_ok(R"(!add_ai "Model Name")", command_name::add_ai, {"Model Name"});
    expect_ok("!temperature 0.7", command_name::temperature, {"0.7"});
    expect_ok(R"(!search "query")", command_name::search, {"query"});
    expect_ok("!mute_self", command_name::mute_self, {});
    expect_ok(R"(!prompt "text")", command_name::prompt, {"text"});
    expect_ok("!list_models", command_name::list_models, {});
}

TEST(CommandParser, NamesAreCaseInsensitive) {
    expect_ok(R"(!IMAGE "x")", command_name::image, {"x"});
    expect_ok(R"(!Add_AI "x")", command_name::add_ai, {"x"});
    expect_ok("!List_Models", command_name::list_models, {});
}

TEST(CommandParser, NameMustEndAtNonWordChar) {
    expect_text(R"(!imagery "x")");
    expect_text("!important");
    expect_text("!mute_selfish");
    expect_text(R"(!image2 "x")");
    expect_text(R"(!image_ "x")");
}

TEST(CommandParser, NameFollowedByNonAsciiLetterIsText) {
    expect_text("!image\xC3\xA9 \"x\"");                                   // é
    expect_text("!list_models\xD0\xB6");                                   // ж
    expect_text("!list_models\xE6\x97\xA5");                               // 日
    expect_ok("!list_models\xE2\x80\x94", command_name::list_models, {});  // em dash
}

TEST(CommandParser, UnknownNameIsText) {
    expect_text(R"(!foo "x")");
    expect_text("!");
    expect_text("! image \"x\"");
    expect_text("!temperaturetemperature 1");
}

TEST(CommandParser, OnlyBangStartsACommand) {
    expect_text(R"(?image "x")");
    expect_text(R"(/image "x")");
    expect_text("\xEF\xBC\x81image \"x\"");  // fullwidth exclamation mark
}

// --- where a command may start

TEST(CommandParser, BangAtStartOfTextStartsACommand) {
    EXPECT_EQ(only("!mute_self").offset, 0U);
}

TEST(CommandParser, BangAfterLetterIsText) {
    expect_text(R"(foo!image "x")");
    expect_text(R"(Wow!image "x")");
}

TEST(CommandParser, BangAfterDigitOrUnderscoreIsText) {
    expect_text(R"(3!image "x")");
    expect_text(R"(_!image "x")");
}

TEST(CommandParser, BangAfterSpacePunctuationOrNewlineStartsACommand) {
    for (const char* text : {" !mute_self", "(!mute_self)", "x: !mute_self", "a\n!mute_self",
                             "a\t!mute_self", "!!mute_self", "\"!mute_self\""}) {
        EXPECT_EQ(parse(text).size(), 1U) << "in: " << text;
    }
    EXPECT_EQ(parse(std::string_view("\0!mute_self", 11)).size(), 1U);
}

TEST(CommandParser, BangAfterNonAsciiLetterIsText) {
    expect_text("caf\xC3\xA9!mute_self");               // é U+00E9
    expect_text("\xCE\xB1!mute_self");                  // α U+03B1
    expect_text("\xD0\xB6!mute_self");                  // ж U+0436
    expect_text("\xE6\x97\xA5\xE6\x9C\xAC!mute_self");  // 日本
    expect_text("\xE3\x81\x82!mute_self");              // あ U+3042
    expect_text("\xEA\xB0\x80!mute_self");              // 가 U+AC00
    expect_text("\xEF\xA4\x80!mute_self");              // U+F900
}

TEST(CommandParser, BangAfterSymbolEmojiOrInvalidByteStartsACommand) {
    for (const char* text : {"\xC3\x97!mute_self",          // × U+00D7
                             "\xC3\xB7!mute_self",          // ÷ U+00F7
                             "\xC2\xBF!mute_self",          // ¿ U+00BF
                             "\xE2\x80\x94!mute_self",      // — U+2014
                             "\xE3\x80\x82!mute_self",      // 。U+3002
                             "\xF0\x9F\x98\x80!mute_self",  // 😀
                             "\xFF!mute_self", "\xC3!mute_self", "\xA9!mute_self",
                             "\xC0\xA9!mute_self",         // overlong
                             "\xED\xA0\x80!mute_self"}) {  // surrogate
        EXPECT_EQ(parse(text).size(), 1U) << "in: " << text;
    }
}

// --- arguments

TEST(CommandParser, ArgumentsAreSeparatedBySpacesAndTabs) {
    expect_ok("!image \t \"x\"", command_name::image, {"x"});
    expect_ok("!add_ai\t\"A\"\t \"B\"", command_name::add_ai, {"A", "B"});
    expect_ok("!image\"x\"", command_name::image, {"x"});
}

TEST(CommandParser, NewlineDoesNotSeparateArguments) {
    expect_rejected("!image\n\"x\"", command_name::image,
                    R"(!image needs a quoted prompt, e.g. !image "a red fox")");
    expect_rejected("!image\r\n\"x\"", command_name::image);
    const parsed_command add = only("!add_ai \"A\"\n\"B\"");
    EXPECT_EQ(add.status, status::ok);
    EXPECT_EQ(add.args, args_t{"A"});
    EXPECT_EQ(add.length, 11U);
}

TEST(CommandParser, AcceptsAllFourQuoteStyles) {
    expect_ok(R"(!image "a b")", command_name::image, {"a b"});
    expect_ok("!image 'a b'", command_name::image, {"a b"});
    expect_ok("!image \u201Ca b\u201D", command_name::image, {"a b"});
    expect_ok("!image \u2018a b\u2019", command_name::image, {"a b"});
}

TEST(CommandParser, DoubleQuotesResolveEscapedQuotesAndBackslashes) {
    expect_ok(R"(!image "say \"hi\" \\ now")", command_name::image, {R"(say "hi" \ now)"});
    expect_ok(R"(!image "ends in \\")", command_name::image, {R"(ends in \)"});
}

TEST(CommandParser, OtherBackslashesAreKept) {
    expect_ok(R"(!image "C:\temp\n")", command_name::image, {R"(C:\temp\n)"});
    expect_ok(R"(!image 'it\'s')", command_name::image, {R"(it\'s)"});
}

TEST(CommandParser, ArgumentMaySpanLines) {
    expect_ok("!prompt \"one\ntwo\"", command_name::prompt, {"one\ntwo"});
    expect_ok("!prompt 'one\ntwo'", command_name::prompt, {"one\ntwo"});
}

TEST(CommandParser, ApostropheInsideWordDoesNotCloseSingleQuote) {
    expect_ok("!image 'the cat's toy'", command_name::image, {"the cat's toy"});
    expect_ok("!image 'don't'.", command_name::image, {"don't"});
    expect_ok("!image 'caf\xC3\xA9's menu'", command_name::image, {"caf\xC3\xA9's menu"});
}

TEST(CommandParser, CurlyApostropheInsideWordDoesNotCloseCurlySingleQuote) {
    expect_ok("!image \u2018the cat\u2019s toy\u2019!", command_name::image,
              {"the cat\u2019s toy"});
}

TEST(CommandParser, SingleQuoteClosesAtTheFirstQuoteBeforeANonWordChar) {
    const parsed_command command = only("!image 'the dogs' bowl'");
    EXPECT_EQ(command.args, args_t{"the dogs"});
    EXPECT_EQ(command.length, 17U);
}

TEST(CommandParser, CurlyDoubleQuoteClosesAtTheRightQuote) {
    expect_ok("!image \u201Ca\u201Db\u201D", command_name::image, {"a"});
    expect_ok("!image \u201Cquote \"in\" it\u201D", command_name::image, {"quote \"in\" it"});
}

TEST(CommandParser, MismatchedQuotesDoNotClose) {
    expect_rejected("!image \u201Ca\"", command_name::image);
    expect_rejected("!image \"a\u201D", command_name::image);
    expect_rejected("!image 'a\u2019", command_name::image);
}

TEST(CommandParser, ClosingQuotesDoNotOpen) {
    expect_rejected("!image \u201Da\u201D", command_name::image,
                    R"(!image needs its prompt in quotes, e.g. !image "a red fox")");
}

TEST(CommandParser, AddAiTakesAnOptionalInviteMessage) {
    expect_ok(R"(!add_ai "Model Name" "come in")", command_name::add_ai, {"Model Name", "come in"});
    expect_ok(R"(!add_ai "Model Name" please)", command_name::add_ai, {"Model Name"});
}

TEST(CommandParser, NoArgumentCommandsIgnoreWhatFollows) {
    const parsed_command command = only(R"(!mute_self "now")");
    EXPECT_EQ(command.args, args_t{});
    EXPECT_EQ(command.length, 10U);
    expect_ok("!list_models please", command_name::list_models, {});
}

TEST(CommandParser, QuotedStringsBeyondTheMaximumArityAreText) {
    const parsed_command image = only(R"(!image "a" "b")");
    EXPECT_EQ(image.args, args_t{"a"});
    EXPECT_EQ(image.length, 10U);
    const parsed_command add = only(R"(!add_ai "a" "b" "c")");
    EXPECT_EQ(add.args, (args_t{"a", "b"}));
}

TEST(CommandParser, ArgumentsKeepTheirBytesAsWritten) {
    constexpr char text[] = "!image \"\xFF\xC3 \0 \xF0\x9F\x98\x80\"";
    constexpr char arg[] = "\xFF\xC3 \0 \xF0\x9F\x98\x80";
    expect_ok(std::string_view(text, sizeof text - 1), command_name::image,
              {std::string(arg, sizeof arg - 1)});
}

// --- !temperature

TEST(CommandParser, TemperatureTakesABareNumber) {
    for (const char* number : {"0.7", "1", "+1.5", "-0.5", ".5", "-.5", "2.000", "007"}) {
        expect_ok(std::string("!temperature ") + number, command_name::temperature, {number});
    }
}

TEST(CommandParser, TemperatureTakesAQuotedNumber) {
    expect_ok(R"(!temperature "0.7")", command_name::temperature, {"0.7"});
    expect_ok("!temperature '1.40'", command_name::temperature, {"1.40"});
    expect_ok("!temperature \u201C.5\u201D", command_name::temperature, {".5"});
}

TEST(CommandParser, TemperatureNumberMayBeFollowedByPunctuation) {
    const parsed_command command = only("!temperature 1.4.");
    EXPECT_EQ(command.args, args_t{"1.4"});
    EXPECT_EQ(command.length, 16U);
    expect_ok("!temperature 1.", command_name::temperature, {"1"});
    expect_ok("(!temperature 0.7), then", command_name::temperature, {"0.7"});
    expect_ok("!temperature 0.7\xE2\x80\x94ok", command_name::temperature, {"0.7"});
}

TEST(CommandParser, TemperatureRejectsWhatIsNotANumber) {
    for (const char* arg : {"hot", "nan", "inf", "-inf", "0x1p3", "1e3", "1.5x", "+", "-", ".",
                            "1.4.5", "0,7", "\"1.4.\"", "\"\"", "\" 1\"", "'warm'", "\xC2\xBD"}) {
        expect_rejected(std::string("!temperature ") + arg, command_name::temperature,
                        "!temperature needs a number, e.g. !temperature 0.7");
    }
    expect_rejected("!temperature", command_name::temperature,
                    "!temperature needs a number, e.g. !temperature 0.7");
}

// --- code

TEST(CommandParser, CommandsInFencedCodeAreText) {
    expect_text("```\n!image \"x\"\n```");
    expect_text("~~~python\n!image \"x\"\n~~~\n");
    expect_ok("```\n!image \"x\"\n```\n!search \"y\"", command_name::search, {"y"});
}

TEST(CommandParser, FenceMayBeIndentedUpToThreeSpaces) {
    expect_text("   ```\n!image \"x\"\n   ```");
    EXPECT_EQ(parse("    ```\n!image \"x\"\n```").size(), 1U);
}

TEST(CommandParser, FenceClosesOnlyOnTheSameCharRepeatedAtLeastAsOften) {
    expect_text("````\n```\n!image \"x\"\n````");
    expect_text("```\n~~~\n!image \"x\"\n```");
    expect_ok("```\n!image \"x\"\n`````\n!search \"y\"", command_name::search, {"y"});
    expect_text("``\n!image \"x\"\n``");  // not a fence: an inline code span
}

TEST(CommandParser, UnclosedFenceRunsToTheEnd) {
    expect_text("intro\n```\n!image \"x\"\n\n!search \"y\"");
}

TEST(CommandParser, FenceOpensOnlyAtTheStartOfALine) {
    EXPECT_EQ(parse("see ```\n!image \"x\"").size(), 1U);
}

TEST(CommandParser, ArgumentCannotExtendIntoFencedCode) {
    expect_rejected("!prompt \"open\n```\nclose\"\n```", command_name::prompt);
}

TEST(CommandParser, CommandsInInlineCodeAreText) {
    expect_text("use `!image \"x\"` to draw");
    expect_text("use ``!image \"x\" and ` `` to draw");
    expect_text("`a\n!image \"x\"\nb`");
}

TEST(CommandParser, InlineCodeClosesOnlyOnARunOfTheSameLength) {
    expect_text("``x ` !image \"x\" ``` !search \"y\" ``");
    expect_ok("`a`` !image \"x\"", command_name::image, {"x"});
}

TEST(CommandParser, UnmatchedBacktickRunIsText) {
    expect_ok("` !image \"x\"", command_name::image, {"x"});
    expect_ok("a ``` inline !image \"x\"", command_name::image, {"x"});
}

TEST(CommandParser, BackticksInsideAnArgumentAreArgumentText) {
    const auto commands = parse("!image \"a `b\" !search \"c` d\"");
    ASSERT_EQ(commands.size(), 2U);
    EXPECT_EQ(commands[0].args, args_t{"a `b"});
    EXPECT_EQ(commands[1].args, args_t{"c` d"});
}

// --- malformed arguments

TEST(CommandParser, MissingArgumentIsRejected) {
    expect_rejected("!image", command_name::image,
                    R"(!image needs a quoted prompt, e.g. !image "a red fox")");
    expect_rejected("!search  \n", command_name::search);
    expect_rejected("!add_ai", command_name::add_ai);
}

TEST(CommandParser, UnquotedArgumentIsRejected) {
    expect_rejected("!image cat", command_name::image,
                    R"(!image needs its prompt in quotes, e.g. !image "a red fox")");
    expect_rejected("!add_ai Claude", command_name::add_ai);
}

TEST(CommandParser, EmptyArgumentIsRejected) {
    expect_rejected(R"(!image "")", command_name::image,
                    R"(!image has an empty prompt, e.g. !image "a red fox")");
    expect_rejected("!search ' \t\n'", command_name::search);
    expect_rejected(R"(!add_ai "A" "")", command_name::add_ai);
}

TEST(CommandParser, UnterminatedQuoteIsRejected) {
    expect_rejected(R"(!image "a red fox)", command_name::image,
                    R"(!image has an unterminated prompt: no closing " was found, )"
                    R"(e.g. !image "a red fox")");
    expect_rejected("!image 'it's", command_name::image);
    expect_rejected(R"(!image "a\")", command_name::image);
}

TEST(CommandParser, MalformedInviteMessageRejectsAddAi) {
    const parsed_command command = only(R"(!add_ai "A" "come in)");
    EXPECT_EQ(command.status, status::rejected);
    EXPECT_NE(command.detail.find("invite message"), std::string::npos);
    EXPECT_EQ(command.args, args_t{});
}

TEST(CommandParser, MalformedCommandCoversOnlyItsName) {
    const parsed_command command = only("say !image cat");
    EXPECT_EQ(command.offset, 4U);
    EXPECT_EQ(command.length, 6U);
}

TEST(CommandParser, ScanningResumesRightAfterTheNameOfAMalformedCommand) {
    const auto commands = parse(R"(!temperature 'warm, !image "fox"')");
    ASSERT_EQ(commands.size(), 2U);
    EXPECT_EQ(commands[0].status, status::rejected);
    EXPECT_EQ(commands[1].name, command_name::image);
    EXPECT_EQ(commands[1].status, status::ok);
    EXPECT_EQ(commands[1].args, args_t{"fox"});
}

// --- per-message rules

TEST(CommandParser, IdenticalCommandsAreCarriedOutOnce) {
    const auto commands = parse(R"(!image "x" then !IMAGE 'x' and !image "x")");
    ASSERT_EQ(commands.size(), 3U);
    EXPECT_EQ(commands[0].status, status::ok);
    for (std::size_t index = 1; index < 3; ++index) {
        EXPECT_EQ(commands[index].status, status::rejected);
        EXPECT_EQ(commands[index].detail,
                  "duplicate of an earlier !image in this message; carried out once");
        EXPECT_EQ(commands[index].args, args_t{"x"});
    }
}

TEST(CommandParser, CommandsWithDifferentArgumentsAreNotDuplicates) {
    const auto commands = parse(R"(!image "x" !image "X" !search "x" !add_ai "x" !add_ai "x" "y")");
    ASSERT_EQ(commands.size(), 5U);
    for (const auto& command : commands) {
        EXPECT_EQ(command.status, status::ok);
    }
}

TEST(CommandParser, DuplicateCommandResumesAfterItsArguments) {
    const auto commands = parse(R"(!prompt "a !search \"b\"" !prompt "a !search \"b\"")");
    ASSERT_EQ(commands.size(), 2U);
    EXPECT_EQ(commands[1].name, command_name::prompt);
    EXPECT_EQ(commands[1].status, status::rejected);
}

TEST(CommandParser, AtMostEightCommandsAreCarriedOut) {
    std::string text;
    for (int index = 0; index < 10; ++index) {
        text += "!search \"q" + std::to_string(index) + "\"\n";
    }
    const auto commands = parse(text);
    ASSERT_EQ(commands.size(), 10U);
    for (std::size_t index = 0; index < 10; ++index) {
        EXPECT_EQ(commands[index].status, index < 8 ? status::ok : status::rejected);
    }
    EXPECT_EQ(commands[9].detail, "too many commands in one message (at most 8 are carried out)");
    EXPECT_EQ(commands[9].args, args_t{"q9"});
}

TEST(CommandParser, RejectedCommandsDoNotCountTowardTheLimit) {
    std::string text = "!image !image \"dup\" !image \"dup\" ";
    for (int index = 0; index < 7; ++index) {
        text += "!search \"q" + std::to_string(index) + "\" ";
    }
    text += "!search \"last\"";
    const auto commands = parse(text);
    ASSERT_EQ(commands.size(), 11U);
    EXPECT_EQ(commands[9].status, status::ok);
    EXPECT_EQ(commands[10].status, status::rejected);
}

TEST(CommandParser, OffsetAndLengthCoverTheCommandAsWritten) {
    const std::string text = "Sure! !add_ai \"Model\"  'hello there' and more";
    const parsed_command command = only(text);
    EXPECT_EQ(command.offset, 6U);
    EXPECT_EQ(text.substr(command.offset, command.length), "!add_ai \"Model\"  'hello there'");
}

TEST(CommandParser, ResultsComeInTheOrderWritten) {
    const auto commands = parse("!mute_self !image \"x\" !image !list_models !temperature 1");
    ASSERT_EQ(commands.size(), 5U);
    const std::vector<command_name> names{command_name::mute_self, command_name::image,
                                          command_name::image, command_name::list_models,
                                          command_name::temperature};
    for (std::size_t index = 0; index < names.size(); ++index) {
        EXPECT_EQ(commands[index].name, names[index]);
        if (index > 0) {
            EXPECT_LT(commands[index - 1].offset, commands[index].offset);
        }
    }
}

TEST(CommandParser, PlainTextHasNoCommands) {
    expect_text("");
    expect_text("Hello! How are you? That's great!!!");
    expect_text(std::string(3, '\0'));
}

// --- names as strings

TEST(CommandParser, ToStringAndCommandFromStringRoundTrip) {
    for (const command_name name :
         {command_name::image, command_name::add_ai, command_name::temperature,
          command_name::search, command_name::mute_self, command_name::prompt,
          command_name::list_models}) {
        EXPECT_EQ(command_from_string(to_string(name)), name);
    }
    EXPECT_EQ(to_string(command_name::add_ai), "add_ai");
}

TEST(CommandParser, CommandFromStringIsCaseInsensitiveAndExact) {
    EXPECT_EQ(command_from_string("LIST_Models"), command_name::list_models);
    EXPECT_EQ(command_from_string("!image"), std::nullopt);
    EXPECT_EQ(command_from_string("imagery"), std::nullopt);
    EXPECT_EQ(command_from_string(""), std::nullopt);
}

// --- totality and linearity (the test timeout catches quadratic behaviour)

TEST(CommandParser, ParsesAMegabyteOfRandomBytes) {
    std::mt19937 random(12345);
    std::string text(1 << 20, '\0');
    for (char& byte : text) {
        byte = static_cast<char>(random() & 0xFFU);
    }
    for (const auto& command : parse(text)) {
        EXPECT_LE(command.offset + command.length, text.size());
    }
}

TEST(CommandParser, ParsesAMegabyteOfAdversarialCode) {
    EXPECT_TRUE(parse(std::string(1 << 20, '`')).empty());
    std::string runs;
    for (std::size_t length = 1; runs.size() < (1U << 20); ++length) {
        runs += std::string(length, '`') + "!";
    }
    EXPECT_TRUE(parse(runs).empty());
    std::string fences;
    while (fences.size() < (1U << 20)) {
        fences += "```\n";
    }
    EXPECT_TRUE(parse(fences).empty());
}

TEST(CommandParser, ParsesAMegabyteOfNestedMalformedCommands) {
    std::string text;
    while (text.size() < (1U << 20)) {
        text += "!add_ai 'a !add_ai \u201Cb\u201D \u201C\u201D ";
    }
    text += "x' " + std::string(1 << 20, ' ') + "'unterminated";
    const auto commands = parse(text);
    ASSERT_FALSE(commands.empty());
    EXPECT_EQ(commands.front().status, status::rejected);
    std::string quotes;
    while (quotes.size() < (1U << 20)) {
        quotes += "!image 'x !temperature \"1 ";
    }
    EXPECT_FALSE(parse(quotes).empty());
}

}  // namespace
}  // namespace polylogue::commands
