// The connect client's telnet side against the exact sequences ttyhub sends
// (docs/protocols.md): what it answers, what reaches the terminal, what it
// sends for keystrokes and for a break.
#include "tools/ctl/telnet_client.h"

#include "gtest/gtest.h"

namespace ttyhub::ctl {
namespace {

constexpr char kIac = '\xff';
constexpr char kWill = '\xfb';
constexpr char kWont = '\xfc';
constexpr char kDo = '\xfd';
constexpr char kDont = '\xfe';

std::string Cmd(char command, char option) { return {kIac, command, option}; }

TEST(TelnetClientTest, AcceptsTtyhubsOffersOnceAndOnlyThose) {
  TelnetClient t;
  // On connect ttyhub offers WILL ECHO, WILL SGA, DO SGA, WILL BINARY, DO BINARY.
  const std::string offers =
      Cmd(kWill, 1) + Cmd(kWill, 3) + Cmd(kDo, 3) + Cmd(kWill, 0) + Cmd(kDo, 0);
  EXPECT_EQ(t.Receive(offers), "");
  EXPECT_EQ(t.replies(), Cmd(kDo, 1) + Cmd(kDo, 3) + Cmd(kWill, 3) + Cmd(kDo, 0) + Cmd(kWill, 0));
  EXPECT_TRUE(t.server_echoes());
  EXPECT_TRUE(t.server_binary());
  EXPECT_TRUE(t.client_binary());
  t.replies().clear();
  // The same offers again are not answered (RFC 1143): no loop.
  EXPECT_EQ(t.Receive(offers), "");
  EXPECT_EQ(t.replies(), "");
}

TEST(TelnetClientTest, RefusesWhatItDoesNotSpeak) {
  TelnetClient t;
  t.Receive(Cmd(kDo, 1) + Cmd(kDo, 31) + Cmd(kWill, 44) + Cmd(kDo, 44) + Cmd(kDo, 24));
  // No local echo, no NAWS, no COM-PORT-OPTION, no TTYPE.
  EXPECT_EQ(t.replies(),
            Cmd(kWont, 1) + Cmd(kWont, 31) + Cmd(kDont, 44) + Cmd(kWont, 44) + Cmd(kWont, 24));
}

TEST(TelnetClientTest, WontAndDontTurnOptionsOffAnsweredOnce) {
  TelnetClient t;
  t.Receive(Cmd(kWill, 0) + Cmd(kDo, 0));
  t.replies().clear();
  t.Receive(Cmd(kWont, 0) + Cmd(kDont, 0) + Cmd(kWont, 0) + Cmd(kDont, 0));
  EXPECT_EQ(t.replies(), Cmd(kDont, 0) + Cmd(kWont, 0));
  EXPECT_FALSE(t.server_binary());
  EXPECT_FALSE(t.client_binary());
}

TEST(TelnetClientTest, DataIacIacAndCommandsAndSubnegotiations) {
  TelnetClient t;
  const std::string wire = std::string("a") + kIac + kIac + "b" + kIac + '\xf1' /* NOP */ + "c" +
                           kIac + '\xfa' + "\x2c\x01xyz" + kIac + kIac + "q" + kIac + '\xf0' + "d";
  EXPECT_EQ(t.Receive(wire), std::string("a\xff"
                                         "bcd"));
  EXPECT_EQ(t.replies(), "");
}

TEST(TelnetClientTest, SequencesSplitAcrossReads) {
  TelnetClient t;
  std::string got;
  const std::string wire = std::string("x") + kIac + kWill + '\x01' + kIac + kIac + "y";
  for (char c : wire) got += t.Receive(std::string(1, c));
  EXPECT_EQ(got, "x\xffy");
  EXPECT_EQ(t.replies(), Cmd(kDo, 1));
}

TEST(TelnetClientTest, CrNulIsCrUntilTheServerSendsBinary) {
  TelnetClient t;
  EXPECT_EQ(t.Receive(std::string("a\r\0b\r\n", 6)), "a\rb\r\n");
  // Split between CR and NUL.
  EXPECT_EQ(t.Receive("\r"), "\r");
  EXPECT_EQ(t.Receive(std::string("\0z", 2)), "z");
  t.Receive(Cmd(kWill, 0));
  EXPECT_EQ(t.Receive(std::string("\r\0", 2)), std::string("\r\0", 2));
}

TEST(TelnetClientTest, KeystrokesAndBreak) {
  TelnetClient t;
  // Before BINARY: CR goes as CR NUL (ttyhub turns it back into CR), 0xFF doubled.
  EXPECT_EQ(t.EncodeInput("ls\r\xff"), std::string("ls\r\0\xff\xff", 6));
  t.Receive(Cmd(kDo, 0));
  EXPECT_EQ(t.EncodeInput("ls\r\xff"), std::string("ls\r\xff\xff", 5));
  EXPECT_EQ(TelnetClient::BreakCommand(), "\xff\xf3");
}

}  // namespace
}  // namespace ttyhub::ctl
