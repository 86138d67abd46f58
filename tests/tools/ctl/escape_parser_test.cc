// The connect escapes are a contract: recognised only at the start of a
// line, nothing typed is lost, and -e changes the character.
#include "tools/ctl/escape_parser.h"

#include "gtest/gtest.h"

namespace ttyhub::ctl {
namespace {

using Kind = EscapeAction::Kind;

EscapeAction Send(const std::string& bytes) { return {Kind::kSend, bytes}; }
EscapeAction Cmd(Kind kind) { return {kind, ""}; }

TEST(EscapeParserTest, EveryCommandAtTheVeryStart) {
  const std::pair<char, Kind> commands[] = {{'.', Kind::kQuit},   {'?', Kind::kHelp},
                                            {'b', Kind::kBreak},  {'r', Kind::kReplay},
                                            {'s', Kind::kStatus}, {'w', Kind::kWriteRole}};
  for (const auto& [key, kind] : commands) {
    EscapeParser p('~');
    const std::string keys = std::string("~") + key;
    EXPECT_EQ(p.Feed(keys), std::vector<EscapeAction>{Cmd(kind)}) << keys;
  }
}

TEST(EscapeParserTest, OnlyAfterCrOrLf) {
  EscapeParser p('~');
  // Mid-line, ~. is data.
  EXPECT_EQ(p.Feed("ls ~."), std::vector<EscapeAction>{Send("ls ~.")});
  // After a CR (the Enter key in raw mode) it is an escape.
  EXPECT_EQ(p.Feed("\r~s"), (std::vector<EscapeAction>{Send("\r"), Cmd(Kind::kStatus)}));
  // After an escape command the line is still at its start.
  EXPECT_EQ(p.Feed("~w"), std::vector<EscapeAction>{Cmd(Kind::kWriteRole)});
  EXPECT_EQ(p.Feed("x~."), std::vector<EscapeAction>{Send("x~.")});
  // After an LF too.
  EXPECT_EQ(p.Feed("\n~."), (std::vector<EscapeAction>{Send("\n"), Cmd(Kind::kQuit)}));
}

TEST(EscapeParserTest, TildeTildeSendsOneTildeAndTheLineIsNoLongerAtItsStart) {
  EscapeParser p('~');
  EXPECT_EQ(p.Feed("~~"), std::vector<EscapeAction>{Send("~")});
  EXPECT_EQ(p.Feed("~."), std::vector<EscapeAction>{Send("~.")});
}

TEST(EscapeParserTest, AnUnknownCommandSendsBothBytes) {
  EscapeParser p('~');
  EXPECT_EQ(p.Feed("~x"), std::vector<EscapeAction>{Send("~x")});
  EscapeParser q('~');
  EXPECT_EQ(q.Feed("~\r~."), (std::vector<EscapeAction>{Send("~\r"), Cmd(Kind::kQuit)}));
}

TEST(EscapeParserTest, TheEscapeCharacterWaitsForTheNextKeystroke) {
  EscapeParser p('~');
  EXPECT_TRUE(p.Feed("~").empty());
  EXPECT_TRUE(p.pending());
  EXPECT_EQ(p.Feed("."), std::vector<EscapeAction>{Cmd(Kind::kQuit)});
  EscapeParser q('~');
  EXPECT_TRUE(q.Feed("~").empty());
  EXPECT_EQ(q.Feed("a"), std::vector<EscapeAction>{Send("~a")});
  EXPECT_FALSE(q.pending());
}

TEST(EscapeParserTest, BytesAfterQuitAreDroppedAndDataBeforeItIsKept) {
  EscapeParser p('~');
  EXPECT_EQ(p.Feed("exit\r~.more"), (std::vector<EscapeAction>{Send("exit\r"), Cmd(Kind::kQuit)}));
}

TEST(EscapeParserTest, CommandsInOneReadKeepTheirOrder) {
  EscapeParser p('~');
  EXPECT_EQ(p.Feed("a\r~sb\r~b~~"),
            (std::vector<EscapeAction>{Send("a\r"), Cmd(Kind::kStatus), Send("b\r"),
                                       Cmd(Kind::kBreak), Send("~")}));
}

TEST(EscapeParserTest, AnotherEscapeCharacter) {
  EscapeParser p('\x1d');  // ^]
  EXPECT_EQ(p.Feed("~."), std::vector<EscapeAction>{Send("~.")});
  EXPECT_EQ(p.Feed("\r\x1d."), (std::vector<EscapeAction>{Send("\r"), Cmd(Kind::kQuit)}));
  EscapeParser hash('#');
  EXPECT_EQ(hash.Feed("##"), std::vector<EscapeAction>{Send("#")});
}

TEST(EscapeParserTest, EscapesOff) {
  EscapeParser p(std::nullopt);
  EXPECT_EQ(p.Feed("~.~~"), std::vector<EscapeAction>{Send("~.~~")});
  EXPECT_FALSE(p.pending());
}

TEST(EscapeParserTest, BinaryBytesPassThrough) {
  EscapeParser p('~');
  const std::string bytes("\x00\xff\x7f\x03", 4);
  EXPECT_EQ(p.Feed(bytes), std::vector<EscapeAction>{Send(bytes)});
}

TEST(EscapeCharacterTest, Parse) {
  EXPECT_EQ(*ParseEscapeCharacter("~"), std::optional<char>('~'));
  EXPECT_EQ(*ParseEscapeCharacter("#"), std::optional<char>('#'));
  EXPECT_EQ(*ParseEscapeCharacter("^]"), std::optional<char>('\x1d'));
  EXPECT_EQ(*ParseEscapeCharacter("^a"), std::optional<char>('\x01'));
  EXPECT_EQ(*ParseEscapeCharacter("^?"), std::optional<char>('\x7f'));
  EXPECT_EQ(*ParseEscapeCharacter("none"), std::optional<char>());
  EXPECT_FALSE(ParseEscapeCharacter("").ok());
  EXPECT_FALSE(ParseEscapeCharacter("ab").ok());
  EXPECT_FALSE(ParseEscapeCharacter("^1").ok());
  EXPECT_FALSE(ParseEscapeCharacter("^M").ok()) << "CR could never start an escape";
  EXPECT_FALSE(ParseEscapeCharacter("^J").ok());
  EXPECT_FALSE(ParseEscapeCharacter("\n").ok());
  EXPECT_EQ(EscapeCharacterName('\x1d'), "^]");
  EXPECT_EQ(EscapeCharacterName('~'), "~");
  EXPECT_EQ(EscapeCharacterName('\x7f'), "^?");
}

}  // namespace
}  // namespace ttyhub::ctl
