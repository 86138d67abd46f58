// The client side of COM-PORT-OPTION: exact request bytes (0xFF escaped),
// answers turned into settings, and a round trip through ttyhub's own
// server side (Rfc2217Handler), including a server that refuses changes.
#include "engine/rfc2217_client.h"

#include <string>
#include <vector>

#include "engine/modem_lines.h"
#include "engine/rfc2217_handler.h"
#include "engine/telnet_decoder.h"
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

SerialSettings Settings(const char* text, FlowControl flow = FlowControl::kNone) {
  SerialSettings s = *ParseSerialSettings(text);
  s.flow = flow;
  return s;
}

// Decodes the client's wire bytes as a server does, runs each COM-PORT
// request through `handler`, and returns the server's answers (wire bytes).
std::string Serve(const std::string& wire, Rfc2217Handler* handler) {
  std::vector<uint8_t> buf(wire.begin(), wire.end());
  std::vector<TelnetEvent> events;
  TelnetDecoder decoder;
  const size_t data = decoder.Decode(buf.data(), buf.size(), &events);
  EXPECT_EQ(data, 0u) << "requests carry no data bytes";
  std::string answers;
  for (const TelnetEvent& e : events) {
    EXPECT_EQ(e.kind, TelnetEvent::Kind::kSubnegotiation);
    EXPECT_EQ(e.code, kOptComPort);
    handler->Handle(e.payload, &answers);
  }
  return answers;
}

// Feeds the server's answers (wire bytes) to the client.
void Answer(const std::string& wire, Rfc2217Client* client) {
  std::vector<uint8_t> buf(wire.begin(), wire.end());
  std::vector<TelnetEvent> events;
  TelnetDecoder decoder;
  decoder.Decode(buf.data(), buf.size(), &events);
  for (const TelnetEvent& e : events) client->HandleAnswer(e.payload);
}

TEST(Rfc2217ClientTest, RequestsEveryFieldThenOnlyWhatChanged) {
  Rfc2217Client client;
  std::string out;
  client.RequestSettings(Settings("9600n81"), /*everything=*/true, &out);
  EXPECT_EQ(out, B({kIac, kSb,  kOptComPort, kSetBaudrate, 0,
                    0,    0x25, 0x80,        kIac,         kSe,  //
                    kIac, kSb,  kOptComPort, kSetDatasize, 8,
                    kIac, kSe,  //
                    kIac, kSb,  kOptComPort, kSetParity,   kParityNone,
                    kIac, kSe,  //
                    kIac, kSb,  kOptComPort, kSetStopsize, kStop1,
                    kIac, kSe,  //
                    kIac, kSb,  kOptComPort, kSetControl,  kCtlFlowNone,
                    kIac, kSe}));
  EXPECT_EQ(client.awaited_answers(), 5);
  out.clear();
  client.RequestSettings(Settings("9600e82", FlowControl::kRtsCts), false, &out);
  EXPECT_EQ(out, B({kIac, kSb, kOptComPort, kSetParity,   kParityEven,      kIac, kSe,  //
                    kIac, kSb, kOptComPort, kSetStopsize, kStop2,           kIac, kSe,  //
                    kIac, kSb, kOptComPort, kSetControl,  kCtlFlowHardware, kIac, kSe}));
  EXPECT_EQ(client.awaited_answers(), 8);
  out.clear();
  client.RequestSettings(Settings("9600e82", FlowControl::kRtsCts), false, &out);
  EXPECT_EQ(out, "");  // nothing changed, nothing sent
}

TEST(Rfc2217ClientTest, AByteOf0xFFInAValueIsDoubled) {
  Rfc2217Client client;
  std::string out;
  client.RequestSettings(Settings("65535n81"), true, &out);
  EXPECT_EQ(out.substr(0, 12),
            B({kIac, kSb, kOptComPort, kSetBaudrate, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, kIac, kSe}));
  // And the answer, escaped the same way by the server, decodes to 65535.
  Rfc2217Client fresh;
  std::string ignored;
  fresh.RequestSettings(Settings("9600n81"), true, &ignored);
  std::string answer;
  Rfc2217Handler::AppendAnswer(kSetBaudrate, B({0, 0, 0xFF, 0xFF}), &answer);
  EXPECT_EQ(answer, B({kIac, kSb, kOptComPort, kSetBaudrate + kServerOffset, 0, 0, 0xFF, 0xFF, 0xFF,
                       0xFF, kIac, kSe}));
  for (uint8_t code : {kSetDatasize, kSetParity, kSetStopsize}) {
    const uint8_t v = code == kSetDatasize ? 8 : 1;
    Rfc2217Handler::AppendAnswer(code, B({v}), &answer);
  }
  Rfc2217Handler::AppendAnswer(kSetControl, B({kCtlFlowNone}), &answer);
  Answer(answer, &fresh);
  auto reported = fresh.TakeReportedSettings();
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(reported->baud, 65535u);
}

TEST(Rfc2217ClientTest, ReportsOnceEveryAnswerOfABatchIsIn) {
  Rfc2217Client client;
  std::string out;
  client.RequestSettings(Settings("19200o71"), true, &out);
  FakeSerialLine line;
  Rfc2217Handler server(line, "remote");
  const std::string answers = Serve(out, &server);
  EXPECT_EQ(FormatSerialSettings(line.settings), "19200O71");
  // All but the last answer: nothing to report yet.
  Answer(answers.substr(0, answers.size() - 7), &client);
  EXPECT_EQ(client.awaited_answers(), 1);
  EXPECT_FALSE(client.TakeReportedSettings().has_value());
  Answer(answers.substr(answers.size() - 7), &client);
  auto reported = client.TakeReportedSettings();
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(FormatSerialSettings(*reported), "19200O71");
  EXPECT_FALSE(client.TakeReportedSettings().has_value());  // once
}

TEST(Rfc2217ClientTest, TheServersAnswerWinsOverTheRequest) {
  // A read-only client's server answers with what holds, not what was asked.
  FakeSerialLine line;
  line.rw = false;
  line.settings = Settings("115200n81", FlowControl::kXonXoff);
  Rfc2217Handler server(line, "remote");
  Rfc2217Client client;
  std::string out;
  client.RequestSettings(Settings("9600e72"), true, &out);
  Answer(Serve(out, &server), &client);
  auto reported = client.TakeReportedSettings();
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(FormatSerialSettings(*reported), "115200N81");
  EXPECT_EQ(reported->flow, FlowControl::kXonXoff);
  EXPECT_EQ(line.refused, 5);
}

TEST(Rfc2217ClientTest, AnswersThatNeverComeAreGivenUpOn) {
  Rfc2217Client client;
  std::string out;
  client.RequestSettings(Settings("9600n81"), true, &out);
  Answer(B({kIac, kSb, kOptComPort, kSetDatasize + kServerOffset, 7, kIac, kSe}), &client);
  EXPECT_FALSE(client.TakeReportedSettings().has_value());
  client.StopAwaiting();
  auto reported = client.TakeReportedSettings();
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(FormatSerialSettings(*reported), "9600N71");  // answered field; others as requested
}

TEST(Rfc2217ClientTest, NonsenseAnswersAreCountedAndChangeNothing) {
  Rfc2217Client client;
  std::string out;
  client.RequestSettings(Settings("9600n81"), true, &out);
  client.HandleAnswer("");
  client.HandleAnswer(B({kSetDatasize + kServerOffset, 9}));                // 9 data bits
  client.HandleAnswer(B({kSetBaudrate + kServerOffset, 0, 0}));             // short
  client.HandleAnswer(B({kSetStopsize + kServerOffset, kStop15}));          // 1.5: not ours
  client.HandleAnswer(B({kSetParity + kServerOffset, 9}));                  // no such parity
  client.HandleAnswer(B({kSetControl + kServerOffset, kCtlFlowHardware}));  // valid
  client.HandleAnswer(B({99}));                                             // unknown code
  EXPECT_EQ(client.protocol_errors(), 6u);
  EXPECT_EQ(client.awaited_answers(), 0);
  auto reported = client.TakeReportedSettings();
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(FormatSerialSettings(*reported), "9600N81");
  EXPECT_EQ(reported->flow, FlowControl::kRtsCts);
}

TEST(Rfc2217ClientTest, SignatureModemStateAndControlRequests) {
  Rfc2217Client client;
  client.HandleAnswer(B({kSignature + kServerOffset, 't', 't', 'y'}));
  EXPECT_EQ(client.signature(), "tty");
  client.HandleAnswer(B({kNotifyModemstate + kServerOffset, 0x30}));
  EXPECT_EQ(client.modem_state(), 0x30);
  // Break and DTR answers are not settings answers.
  client.HandleAnswer(B({kSetControl + kServerOffset, kCtlBreakOn}));
  EXPECT_FALSE(client.TakeReportedSettings().has_value());

  std::string out;
  Rfc2217Client::RequestSignature(&out);
  Rfc2217Client::RequestBreak(true, &out);
  Rfc2217Client::RequestOutputLines(kModemDtr | kModemRts, false, &out);
  Rfc2217Client::RequestPurge(true, true, &out);
  EXPECT_EQ(out, B({kIac, kSb, kOptComPort, kSignature,  kIac,        kSe,        //
                    kIac, kSb, kOptComPort, kSetControl, kCtlBreakOn, kIac, kSe,  //
                    kIac, kSb, kOptComPort, kSetControl, kCtlDtrOff,  kIac, kSe,  //
                    kIac, kSb, kOptComPort, kSetControl, kCtlRtsOff,  kIac, kSe,  //
                    kIac, kSb, kOptComPort, kPurgeData,  kPurgeBoth,  kIac, kSe}));
}

}  // namespace
}  // namespace ttyhub
