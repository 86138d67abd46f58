// Negotiation as a server: offers, answers, refusals, and no loops.
#include "engine/telnet_session.h"

#include <string>
#include <vector>

#include "engine/telnet_protocol.h"
#include "gtest/gtest.h"
#include "tests/engine/fake_serial_line.h"

namespace ttyhub {
namespace {

using namespace telnet;  // NOLINT

std::string B(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

class TelnetSessionTest : public ::testing::Test {
 protected:
  // Feeds client bytes; returns the data part and leaves answers in output().
  std::string Feed(TelnetSession& s, std::string in) {
    const size_t n = s.DecodeInput(reinterpret_cast<uint8_t*>(in.data()), in.size(), 0);
    s.ProcessEventsThrough(UINT64_MAX);
    return in.substr(0, n);
  }
  std::string TakeOutput(TelnetSession& s) {
    std::string out;
    out.swap(s.output());
    return out;
  }
  FakeSerialLine line_;
};

TEST_F(TelnetSessionTest, OpeningOffers) {
  TelnetSession s(false, line_, "sig");
  s.Start();
  EXPECT_EQ(TakeOutput(s), B({kIac, kWill, kOptEcho, kIac, kWill, kOptSga, kIac, kDo, kOptSga, kIac,
                              kWill, kOptBinary, kIac, kDo, kOptBinary}));
}

TEST_F(TelnetSessionTest, AnswersToOurOffersAreNotAnsweredAgain) {
  TelnetSession s(false, line_, "sig");
  s.Start();
  TakeOutput(s);
  Feed(s, B({kIac, kDo, kOptEcho, kIac, kDo, kOptSga, kIac, kWill, kOptSga, kIac, kDo, kOptBinary,
             kIac, kWill, kOptBinary}));
  EXPECT_EQ(TakeOutput(s), "");
  EXPECT_TRUE(s.binary_to_client());
  EXPECT_TRUE(s.binary_from_client());
  // Repeating a request for the current state gets no answer either.
  Feed(s, B({kIac, kDo, kOptEcho, kIac, kWill, kOptBinary}));
  EXPECT_EQ(TakeOutput(s), "");
}

TEST_F(TelnetSessionTest, UnknownOptionsAreRefusedPolitely) {
  TelnetSession s(false, line_, "sig");
  Feed(s, B({kIac, kWill, 24, kIac, kDo, 31, kIac, kWont, 24, kIac, kDont, 99}));
  // WILL TTYPE -> DONT, DO NAWS -> WONT; WONT/DONT for options that are off: silence.
  EXPECT_EQ(TakeOutput(s), B({kIac, kDont, 24, kIac, kWont, 31}));
}

TEST_F(TelnetSessionTest, ComPortOnlyOnRfc2217Listeners) {
  TelnetSession telnet(false, line_, "sig");
  Feed(telnet, B({kIac, kWill, kOptComPort}));
  EXPECT_EQ(TakeOutput(telnet), B({kIac, kDont, kOptComPort}));
  EXPECT_FALSE(telnet.comport_active());

  TelnetSession rfc(true, line_, "sig");
  Feed(rfc, B({kIac, kWill, kOptComPort, kIac, kDo, kOptComPort}));
  EXPECT_EQ(TakeOutput(rfc), B({kIac, kDo, kOptComPort, kIac, kWill, kOptComPort}));
  EXPECT_TRUE(rfc.comport_active());
  Feed(rfc, B({kIac, kSb, kOptComPort, 0, kIac, kSe}));
  EXPECT_EQ(TakeOutput(rfc), B({kIac, kSb, kOptComPort, 100, 's', 'i', 'g', kIac, kSe}));
}

TEST_F(TelnetSessionTest, ClientMayNotEchoForUs) {
  TelnetSession s(false, line_, "sig");
  Feed(s, B({kIac, kWill, kOptEcho}));
  EXPECT_EQ(TakeOutput(s), B({kIac, kDont, kOptEcho}));
}

TEST_F(TelnetSessionTest, ALoopingPeerIsCut) {
  TelnetSession s(false, line_, "sig");
  std::string flood;
  for (int i = 0; i < 10000; ++i) flood += B({kIac, kDo, kOptSga, kIac, kDont, kOptSga});
  Feed(s, flood);
  // Each DO/DONT flips the state and would need an answer; answers stop.
  EXPECT_LE(TakeOutput(s).size(), 3u * 2 * 50 + 16);
}

TEST_F(TelnetSessionTest, BreakAndAreYouThere) {
  TelnetSession s(false, line_, "sig");
  EXPECT_EQ(Feed(s, B({'a', kIac, kBrk, 'b', kIac, kAyt})), "ab");
  EXPECT_EQ(line_.breaks_pulsed, 1);
  EXPECT_EQ(TakeOutput(s), "\r\n[ttyhub: yes]\r\n");
  line_.rw = false;
  Feed(s, B({kIac, kBrk}));
  EXPECT_EQ(line_.breaks_pulsed, 1);
  EXPECT_EQ(line_.refused, 1);
}

TEST_F(TelnetSessionTest, CrNulUntilBinaryIsAgreed) {
  TelnetSession s(false, line_, "sig");
  EXPECT_EQ(Feed(s, std::string("a\r\0", 3)), "a\r");
  Feed(s, B({kIac, kWill, kOptBinary}));
  EXPECT_EQ(Feed(s, std::string("a\r\0", 3)), std::string("a\r\0", 3));
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

using namespace telnet;           // NOLINT
using namespace telnet::comport;  // NOLINT

std::string ComPort(std::initializer_list<int> payload) {
  std::string s = B({kIac, kSb, kOptComPort});
  for (int c : payload) s.push_back(static_cast<char>(c));
  return s + B({kIac, kSe});
}

// Commands that act on the device wait for their place in the data; the
// rest (negotiation, AYT) is acted on as soon as it is decoded.
TEST_F(TelnetSessionTest, OnlyDeviceCommandsWaitForTheirPlace) {
  TelnetSession s(/*rfc2217=*/true, line_, "sig");
  std::string in = "ab" + B({kIac, kAyt}) + "c" + B({kIac, kBrk}) + "d" +
                   ComPort({kSetBaudrate, 0, 0, 0x4b, 0}) + B({kIac, kAo});
  const size_t n = s.DecodeInput(reinterpret_cast<uint8_t*>(in.data()), in.size(), 100);
  EXPECT_EQ(in.substr(0, n), "abcd");
  EXPECT_NE(TakeOutput(s).find("[ttyhub: yes]"), std::string::npos);  // AYT at once
  EXPECT_EQ(s.pending_events(), 2u);                                  // BRK and SET-BAUDRATE wait
  std::vector<uint64_t> marks;
  s.TakeNewCommandPositions([&](uint64_t at) { marks.push_back(at); });
  EXPECT_EQ(marks, (std::vector<uint64_t>{103, 104}));
  s.ProcessEventsThrough(103);
  EXPECT_EQ(line_.breaks_pulsed, 1);
  EXPECT_NE(line_.settings.baud, 19200u);
  s.ProcessEventsThrough(104);
  EXPECT_EQ(line_.settings.baud, 19200u);
  EXPECT_EQ(s.pending_events(), 0u);
}

// A command that closes its client (here RESUME of a lapped disconnect
// viewer) ends the session's acting: the SET-BAUDRATE after it must not run.
TEST_F(TelnetSessionTest, NothingRunsAfterTheClientCloses) {
  TelnetSession s(/*rfc2217=*/true, line_, "sig");
  line_.close_on_resume = true;
  const uint32_t before = line_.settings.baud;
  std::string in = ComPort({kFlowcontrolResume}) + ComPort({kSetBaudrate, 0, 0, 0x4b, 0});
  s.DecodeInput(reinterpret_cast<uint8_t*>(in.data()), in.size(), 0);
  s.ProcessEventsThrough(UINT64_MAX);
  EXPECT_FALSE(line_.active);
  EXPECT_EQ(line_.settings.baud, before);
  EXPECT_EQ(s.pending_events(), 1u);  // left for the client to drop as it closes
  s.DropEvents();
  EXPECT_EQ(s.pending_events(), 0u);
}

}  // namespace
}  // namespace ttyhub
