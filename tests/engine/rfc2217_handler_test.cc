// COM-PORT-OPTION, including each place ser2net is known to go wrong.
#include "engine/rfc2217_handler.h"

#include <string>

#include "engine/telnet_protocol.h"
#include "gtest/gtest.h"
#include "tests/engine/fake_serial_line.h"

namespace ttyhub {
namespace {

using namespace telnet;           // NOLINT
using namespace telnet::comport;  // NOLINT

std::string B(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// The framed answer for `code` with `value`.
std::string Answer(uint8_t code, const std::string& value) {
  std::string out;
  Rfc2217Handler::AppendAnswer(code, value, &out);
  return out;
}

class Rfc2217HandlerTest : public ::testing::Test {
 protected:
  std::string Send(const std::string& payload) {
    std::string out;
    handler_.Handle(payload, &out);
    return out;
  }
  FakeSerialLine line_;
  Rfc2217Handler handler_{line_, "ttyhub 0.1.0 sw1"};
};

TEST_F(Rfc2217HandlerTest, AnswerFraming) {
  EXPECT_EQ(Answer(kSetDatasize, B({7})), B({kIac, kSb, kOptComPort, 102, 7, kIac, kSe}));
  // 0xFF inside a value is escaped.
  EXPECT_EQ(Answer(kSetBaudrate, B({0, 0, 0xFF, 0})),
            B({kIac, kSb, kOptComPort, 101, 0, 0, 0xFF, 0xFF, 0, kIac, kSe}));
}

TEST_F(Rfc2217HandlerTest, Signature) {
  EXPECT_EQ(Send(B({kSignature})), Answer(kSignature, "ttyhub 0.1.0 sw1"));
  EXPECT_EQ(Send(B({kSignature, 'p', 'y'})), "");  // the client's own: noted, no answer
}

TEST_F(Rfc2217HandlerTest, BaudSetAndQueryIncludingArbitraryRates) {
  EXPECT_EQ(Send(B({kSetBaudrate, 0, 0, 0x25, 0x80})), Answer(kSetBaudrate, B({0, 0, 0x25, 0x80})));
  EXPECT_EQ(line_.settings.baud, 9600u);
  EXPECT_EQ(Send(B({kSetBaudrate, 0, 3, 0xD0, 0x90})), Answer(kSetBaudrate, B({0, 3, 0xD0, 0x90})));
  EXPECT_EQ(line_.settings.baud, 250000u);
  EXPECT_EQ(Send(B({kSetBaudrate, 0, 0, 0, 0})), Answer(kSetBaudrate, B({0, 3, 0xD0, 0x90})));
}

TEST_F(Rfc2217HandlerTest, FramingSettings) {
  EXPECT_EQ(Send(B({kSetDatasize, 7})), Answer(kSetDatasize, B({7})));
  EXPECT_EQ(Send(B({kSetParity, kParityEven})), Answer(kSetParity, B({kParityEven})));
  EXPECT_EQ(Send(B({kSetStopsize, kStop2})), Answer(kSetStopsize, B({kStop2})));
  EXPECT_EQ(FormatSerialSettings(line_.settings), "9600E72");
  // Queries.
  EXPECT_EQ(Send(B({kSetDatasize, 0})), Answer(kSetDatasize, B({7})));
  EXPECT_EQ(Send(B({kSetParity, 0})), Answer(kSetParity, B({kParityEven})));
  // Invalid values are refused by answering what holds.
  EXPECT_EQ(Send(B({kSetDatasize, 9})), Answer(kSetDatasize, B({7})));
  EXPECT_EQ(Send(B({kSetStopsize, kStop15})), Answer(kSetStopsize, B({kStop2})));
  EXPECT_EQ(Send(B({kSetParity, 6})), Answer(kSetParity, B({kParityEven})));
}

TEST_F(Rfc2217HandlerTest, MarkThenEvenIsEven) {
  Send(B({kSetParity, kParityMark}));
  EXPECT_EQ(line_.settings.parity, Parity::kMark);
  EXPECT_EQ(Send(B({kSetParity, kParityEven})), Answer(kSetParity, B({kParityEven})));
  EXPECT_EQ(line_.settings.parity, Parity::kEven);
}

TEST_F(Rfc2217HandlerTest, FlowControlOutboundAndInbound) {
  EXPECT_EQ(Send(B({kSetControl, kCtlFlowHardware})), Answer(kSetControl, B({kCtlFlowHardware})));
  EXPECT_EQ(line_.settings.flow, FlowControl::kRtsCts);
  EXPECT_EQ(Send(B({kSetControl, kCtlQueryFlowIn})), Answer(kSetControl, B({kCtlFlowInHardware})));
  EXPECT_EQ(Send(B({kSetControl, kCtlFlowInXonXoff})), Answer(kSetControl, B({kCtlFlowInXonXoff})));
  EXPECT_EQ(line_.settings.flow, FlowControl::kXonXoff);
  EXPECT_EQ(Send(B({kSetControl, kCtlQueryFlow})), Answer(kSetControl, B({kCtlFlowXonXoff})));
  EXPECT_EQ(Send(B({kSetControl, kCtlFlowNone})), Answer(kSetControl, B({kCtlFlowNone})));
  // DCD flow is not possible on Linux: refused with the setting in force.
  EXPECT_EQ(Send(B({kSetControl, kCtlFlowDcd})), Answer(kSetControl, B({kCtlFlowNone})));
}

TEST_F(Rfc2217HandlerTest, BreakStateIsTruthful) {
  EXPECT_EQ(Send(B({kSetControl, kCtlQueryBreak})), Answer(kSetControl, B({kCtlBreakOff})));
  EXPECT_EQ(Send(B({kSetControl, kCtlBreakOn})), Answer(kSetControl, B({kCtlBreakOn})));
  EXPECT_TRUE(line_.brk);
  EXPECT_EQ(Send(B({kSetControl, kCtlBreakOff})), Answer(kSetControl, B({kCtlBreakOff})));
  EXPECT_FALSE(line_.brk);
  EXPECT_EQ(Send(B({kSetControl, kCtlQueryBreak})), Answer(kSetControl, B({kCtlBreakOff})));
}

TEST_F(Rfc2217HandlerTest, DtrAndRts) {
  EXPECT_EQ(Send(B({kSetControl, kCtlQueryDtr})), Answer(kSetControl, B({kCtlDtrOn})));
  EXPECT_EQ(Send(B({kSetControl, kCtlDtrOff})), Answer(kSetControl, B({kCtlDtrOff})));
  EXPECT_EQ(line_.outputs & kModemDtr, 0);
  EXPECT_EQ(Send(B({kSetControl, kCtlRtsOff})), Answer(kSetControl, B({kCtlRtsOff})));
  EXPECT_EQ(Send(B({kSetControl, kCtlQueryRts})), Answer(kSetControl, B({kCtlRtsOff})));
  EXPECT_EQ(Send(B({kSetControl, kCtlRtsOn})), Answer(kSetControl, B({kCtlRtsOn})));
}

TEST_F(Rfc2217HandlerTest, MasksAreAcknowledged) {
  EXPECT_EQ(Send(B({kSetLinestateMask, 0x0E})), Answer(kSetLinestateMask, B({0x0E})));
  EXPECT_EQ(Send(B({kSetModemstateMask, 0x30})), Answer(kSetModemstateMask, B({0x30})));
  EXPECT_EQ(handler_.linestate_mask(), 0x0E);
  EXPECT_EQ(handler_.modemstate_mask(), 0x30);
}

TEST_F(Rfc2217HandlerTest, PurgeIsAnsweredWithThePurgeAskedFor) {
  EXPECT_EQ(Send(B({kPurgeData, kPurgeRx})), Answer(kPurgeData, B({kPurgeRx})));
  EXPECT_EQ(Send(B({kPurgeData, kPurgeTx})), Answer(kPurgeData, B({kPurgeTx})));
  EXPECT_EQ(Send(B({kPurgeData, kPurgeBoth})), Answer(kPurgeData, B({kPurgeBoth})));
  EXPECT_EQ(line_.purged_rx, 2);
  EXPECT_EQ(line_.purged_tx, 2);
  EXPECT_EQ(Send(B({kPurgeData, 7})), "");
}

TEST_F(Rfc2217HandlerTest, SuspendPausesOutputAndDoesNotTouchFlowControl) {
  line_.settings.flow = FlowControl::kRtsCts;
  EXPECT_EQ(Send(B({kFlowcontrolSuspend})), "");
  EXPECT_TRUE(line_.suspended);
  EXPECT_EQ(line_.settings.flow, FlowControl::kRtsCts);
  Send(B({kFlowcontrolResume}));
  EXPECT_FALSE(line_.suspended);
}

TEST_F(Rfc2217HandlerTest, ReadOnlyClientsAreAnsweredButChangeNothing) {
  line_.rw = false;
  EXPECT_EQ(Send(B({kSetBaudrate, 0, 1, 0xC2, 0})), Answer(kSetBaudrate, B({0, 0, 0x25, 0x80})));
  EXPECT_EQ(Send(B({kSetParity, kParityOdd})), Answer(kSetParity, B({kParityNone})));
  EXPECT_EQ(Send(B({kSetControl, kCtlBreakOn})), Answer(kSetControl, B({kCtlBreakOff})));
  EXPECT_EQ(line_.refused, 3);
  EXPECT_EQ(FormatSerialSettings(line_.settings), "9600N81");
  EXPECT_FALSE(line_.brk);
  // Queries are fine.
  EXPECT_EQ(Send(B({kSetDatasize, 0})), Answer(kSetDatasize, B({8})));
  EXPECT_EQ(line_.refused, 3);
}

// pyserial purges both buffers as it opens a port, and raises "remote
// rejected value for option 'purge'" unless the answer echoes the request.
// For a viewer a purge is harmless: RX moves only its own cursor, TX has
// nothing of its own to drop and must not touch the shared input queue.
TEST_F(Rfc2217HandlerTest, ReadOnlyPurgeActsOnTheClientOnlyAndIsAnsweredAsDone) {
  line_.rw = false;
  EXPECT_EQ(Send(B({kPurgeData, kPurgeBoth})), Answer(kPurgeData, B({kPurgeBoth})));
  EXPECT_EQ(Send(B({kPurgeData, kPurgeRx})), Answer(kPurgeData, B({kPurgeRx})));
  EXPECT_EQ(Send(B({kPurgeData, kPurgeTx})), Answer(kPurgeData, B({kPurgeTx})));
  EXPECT_EQ(line_.purged_rx, 2);  // its own cursor, twice
  EXPECT_EQ(line_.purged_tx, 0);  // never the shared input queue
  EXPECT_EQ(line_.refused, 0);
}

TEST_F(Rfc2217HandlerTest, ModemStateNotificationsHonourTheMask) {
  std::string out;
  handler_.OnModemState(kStateDsr, &out);  // first sample: the baseline
  EXPECT_EQ(out, "");
  handler_.OnModemState(kStateDsr | kStateCts, &out);
  EXPECT_EQ(out, Answer(kNotifyModemstate, B({kStateDsr | kStateCts | kModemCtsDelta})));
  out.clear();
  Send(B({kSetModemstateMask, kStateDcd | kModemDcdDelta}));
  handler_.OnModemState(kStateDsr, &out);  // CTS dropped: masked out
  EXPECT_EQ(out, "");
  handler_.OnModemState(kStateDsr | kStateDcd, &out);
  EXPECT_EQ(out, Answer(kNotifyModemstate, B({kStateDcd | kModemDcdDelta})));
  // An explicit request is always answered.
  line_.modem = kStateDsr;
  EXPECT_EQ(Send(B({kNotifyModemstate})), Answer(kNotifyModemstate, B({kStateDsr})));
}

TEST_F(Rfc2217HandlerTest, LineStateNotificationsNeedTheMask) {
  std::string out;
  handler_.OnLineState(kLineParity, &out);
  EXPECT_EQ(out, "");  // default linestate mask is 0
  Send(B({kSetLinestateMask, kLineParity | kLineFraming}));
  handler_.OnLineState(kLineParity | kLineBreak, &out);
  EXPECT_EQ(out, Answer(kNotifyLinestate, B({kLineParity})));
}

TEST_F(Rfc2217HandlerTest, MalformedRequestsAreCountedNotFatal) {
  EXPECT_EQ(Send(""), "");
  EXPECT_EQ(Send(B({kSetBaudrate, 1})), Answer(kSetBaudrate, B({0, 0, 0x25, 0x80})));
  EXPECT_EQ(Send(B({kSetControl})), "");
  EXPECT_EQ(Send(B({99, 1, 2})), "");
  EXPECT_EQ(handler_.protocol_errors(), 4u);
}

}  // namespace
}  // namespace ttyhub
