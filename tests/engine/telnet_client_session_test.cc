// The client side of telnet: offers, answers that cannot loop, data coding
// both ways with 0xFF, and COM-PORT start and refusal.
#include "engine/telnet_client_session.h"

#include <string>
#include <vector>

#include "engine/telnet_protocol.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using namespace telnet;  // NOLINT

std::string B(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// Decodes `wire` from the server; returns the data bytes.
std::string Feed(TelnetClientSession* session, const std::string& wire) {
  std::vector<uint8_t> buf(wire.begin(), wire.end());
  const size_t n = session->Decode(buf.data(), buf.size());
  return std::string(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
}

TEST(TelnetClientSessionTest, OffersOnStart) {
  TelnetClientSession telnet(/*rfc2217=*/false);
  telnet.Start();
  EXPECT_EQ(telnet.output(), B({kIac, kWill, kOptBinary, kIac, kDo, kOptBinary, kIac, kDo, kOptSga,
                                kIac, kWill, kOptSga}));
  TelnetClientSession rfc(/*rfc2217=*/true);
  rfc.Start();
  EXPECT_EQ(rfc.output().substr(rfc.output().size() - 3), B({kIac, kWill, kOptComPort}));
}

TEST(TelnetClientSessionTest, AnswersOfferedStateOnceAndRefusesTheRest) {
  TelnetClientSession telnet(false);
  telnet.Start();
  telnet.output().clear();
  // The server's answers to our offers, and its own offers (as ttyhub's
  // listeners send them): only WILL ECHO is new to us and needs a DO.
  EXPECT_EQ(Feed(&telnet, B({kIac, kDo, kOptBinary, kIac, kWill, kOptBinary, kIac, kWill, kOptSga,
                             kIac, kDo, kOptSga, kIac, kWill, kOptEcho})),
            "");
  EXPECT_EQ(telnet.output(), B({kIac, kDo, kOptEcho}));
  telnet.output().clear();
  // Repeats of the state in force are not answered (RFC 1143).
  Feed(&telnet, B({kIac, kWill, kOptEcho, kIac, kDo, kOptBinary}));
  EXPECT_EQ(telnet.output(), "");
  // Unsupported: refused; a DO ECHO is refused (ttyhub never echoes).
  Feed(&telnet, B({kIac, kDo, 31, kIac, kWill, 24, kIac, kDo, kOptEcho}));
  EXPECT_EQ(telnet.output(), B({kIac, kWont, 31, kIac, kDont, 24, kIac, kWont, kOptEcho}));
  telnet.output().clear();
  // Turning an option off is acknowledged once.
  Feed(&telnet, B({kIac, kWont, kOptEcho, kIac, kWont, kOptEcho}));
  EXPECT_EQ(telnet.output(), B({kIac, kDont, kOptEcho}));
  // COM-PORT is not offered nor accepted on telnet://.
  telnet.output().clear();
  Feed(&telnet, B({kIac, kDo, kOptComPort}));
  EXPECT_EQ(telnet.output(), B({kIac, kWont, kOptComPort}));
  EXPECT_FALSE(telnet.comport_active());
}

TEST(TelnetClientSessionTest, ALoopingServerGetsBoundedAnswers) {
  TelnetClientSession telnet(false);
  std::string wire;
  for (int i = 0; i < 1000; ++i) wire += B({kIac, kWill, kOptEcho, kIac, kWont, kOptEcho});
  Feed(&telnet, wire);
  EXPECT_LE(telnet.output().size(), 3u * 2 * 50);
  std::string refusals;
  for (int i = 0; i < 1000; ++i) refusals += B({kIac, kDo, 99});
  telnet.output().clear();
  Feed(&telnet, refusals);
  EXPECT_EQ(telnet.output().size(), 3u * 50);
}

TEST(TelnetClientSessionTest, DataBothWaysKeeps0xFF) {
  TelnetClientSession telnet(false);
  telnet.Start();
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  // To the server: 0xFF doubled, nothing else touched (binary from the start).
  std::string wire;
  telnet.EncodeData(all, &wire);
  EXPECT_EQ(wire.size(), 257u);
  EXPECT_EQ(wire.substr(254), B({0xFE, 0xFF, 0xFF}));
  EXPECT_EQ(wire.substr(0, 255), all.substr(0, 255));
  // From the server in BINARY: IAC IAC is one 0xFF, CR NUL stays.
  Feed(&telnet, B({kIac, kWill, kOptBinary}));
  EXPECT_EQ(Feed(&telnet, wire), all);
  EXPECT_EQ(Feed(&telnet, B({'\r', 0, 'a', kIac, kIac})), B({'\r', 0, 'a', 0xFF}));
  // A command split across reads is still a command.
  EXPECT_EQ(Feed(&telnet, B({'x', kIac})), "x");
  EXPECT_EQ(Feed(&telnet, B({kNop, 'y'})), "y");
}

TEST(TelnetClientSessionTest, WithoutBinaryCrIsSentAsCrNulAndReadBack) {
  TelnetClientSession telnet(false);
  telnet.Start();
  telnet.output().clear();
  Feed(&telnet, B({kIac, kDont, kOptBinary, kIac, kWont, kOptBinary}));
  EXPECT_FALSE(telnet.binary_to_server());
  EXPECT_FALSE(telnet.binary_from_server());
  std::string wire;
  telnet.EncodeData(B({'a', '\r', '\n', '\r', 0xFF}), &wire);
  EXPECT_EQ(wire, B({'a', '\r', 0, '\n', '\r', 0, 0xFF, 0xFF}));
  EXPECT_EQ(Feed(&telnet, B({'a', '\r', 0, 'b', '\r', '\n'})), "a\rb\r");
}

TEST(TelnetClientSessionTest, ComPortStartsOnceOnDoAndRefusalIsSeen) {
  TelnetClientSession rfc(true);
  rfc.Start();
  EXPECT_FALSE(rfc.TakeComPortStarted());
  Feed(&rfc, B({kIac, kDo, kOptComPort}));
  EXPECT_TRUE(rfc.comport_active());
  EXPECT_TRUE(rfc.TakeComPortStarted());
  EXPECT_FALSE(rfc.TakeComPortStarted());
  // Answers reach the RFC 2217 client, not the data.
  EXPECT_EQ(Feed(&rfc, B({'a', kIac, kSb, kOptComPort, 100, 'x', kIac, kSe, 'b'})), "ab");
  EXPECT_EQ(rfc.comport().signature(), "x");

  TelnetClientSession refused(true);
  refused.Start();
  Feed(&refused, B({kIac, kDont, kOptComPort}));
  EXPECT_TRUE(refused.comport_refused());
  EXPECT_FALSE(refused.comport_active());
}

TEST(TelnetClientSessionTest, BreakIsIacBrk) {
  std::string out;
  TelnetClientSession::AppendBreak(&out);
  EXPECT_EQ(out, B({kIac, kBrk}));
}

}  // namespace
}  // namespace ttyhub
