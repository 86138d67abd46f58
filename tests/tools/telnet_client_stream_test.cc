// ttyhub-bench's ClientStreamFilter and RFC 2217 command builders: what the
// soak scenario's clients receive is turned into exactly the device's bytes
// (telnet commands and subnegotiations out, IAC IAC un-doubled, nothing
// before the AYT answer), and a "port is full" refusal is recognised, also
// when it arrives in pieces.
#include "tools/bench/telnet_client_stream.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ttyhub::bench {
namespace {

constexpr char kIac = '\xff';
constexpr char kWill = '\xfb';
constexpr char kDo = '\xfd';
constexpr char kSb = '\xfa';
constexpr char kSe = '\xf0';
constexpr char kAyt = '\xf6';
constexpr char kComPort = 44;

// Feeds `chunks` in turn and returns the bytes the filter kept.
std::string FilterAll(ClientStreamFilter& filter, const std::vector<std::string>& chunks) {
  std::string kept;
  for (const std::string& chunk : chunks) {
    std::vector<uint8_t> buffer(chunk.begin(), chunk.end());
    const size_t n = filter.Filter(buffer.data(), buffer.size());
    kept.append(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(n));
  }
  return kept;
}

TEST(ClientStreamFilterTest, RawPassesDataUnchanged) {
  ClientStreamFilter filter(ClientProtocol::kRaw);
  const std::string data("\x01\xff\x00pattern\xff\xff", 12);
  EXPECT_EQ(FilterAll(filter, {data, "more"}), data + "more");
  EXPECT_FALSE(filter.refused());
  EXPECT_TRUE(filter.synced());
}

TEST(ClientStreamFilterTest, RawRecognisesARefusalInPieces) {
  ClientStreamFilter filter(ClientProtocol::kRaw);
  EXPECT_EQ(FilterAll(filter, {"ttyh", "ub: po", "rt p0 is full (1 clients)\r\n"}), "");
  EXPECT_TRUE(filter.refused());
}

TEST(ClientStreamFilterTest, RawDropsOnlyTheBytesThatLookedLikeARefusal) {
  ClientStreamFilter filter(ClientProtocol::kRaw);
  // "tt" could start a refusal and is dropped; "X" decides: data from there.
  EXPECT_EQ(FilterAll(filter, {"tt", "Xdata"}), "Xdata");
  EXPECT_FALSE(filter.refused());
  EXPECT_EQ(FilterAll(filter, {"ttyhub: port"}), "ttyhub: port");  // later, it is data
}

TEST(ClientStreamFilterTest, TelnetKeepsOnlyDataAfterTheAytAnswer) {
  ClientStreamFilter filter(ClientProtocol::kTelnet);
  const std::string negotiation = {kIac, kWill, '\x01', kIac, kDo, '\x03'};
  // Before the answer: device bytes sent before BINARY (CR NUL) are dropped.
  EXPECT_EQ(FilterAll(filter, {negotiation, std::string("early\r\0", 7), "\r\n[ttyhub: y"}), "");
  EXPECT_FALSE(filter.synced());
  EXPECT_EQ(FilterAll(filter, {"es]\r\n", "late"}), "late");
  EXPECT_TRUE(filter.synced());
  EXPECT_EQ(filter.commands(), 2u);
}

TEST(ClientStreamFilterTest, TelnetAnswerFoundAfterAStrayBracket) {
  ClientStreamFilter filter(ClientProtocol::kTelnet);
  EXPECT_EQ(FilterAll(filter, {"x[[ttyhub: yes]\r\ndata"}), "data");
  EXPECT_TRUE(filter.synced());
}

TEST(ClientStreamFilterTest, TelnetTakesCommandsOutAndUndoublesIac) {
  ClientStreamFilter filter(ClientProtocol::kRfc2217);
  FilterAll(filter, {"[ttyhub: yes]\r\n"});
  // a, IAC IAC (one 0xFF), an RFC 2217 answer with an escaped 0xFF in its
  // value, b, a NOP, c, a subnegotiation split across reads, d.
  const std::string in1 = {'a',  kIac,   kIac, kIac, kSb, kComPort, '\x65', '\x00', kIac,
                           kIac, '\x01', kIac, kSe,  'b', kIac,     '\xf1', 'c',    kIac};
  const std::string in2 = {kSb, kComPort, '\x6b', '\x01', kIac};
  const std::string in3 = {kSe, 'd'};
  EXPECT_EQ(FilterAll(filter, {in1, in2, in3}), std::string("a\xff"
                                                            "bcd",
                                                            5));
  EXPECT_EQ(filter.subnegotiations(), 2u);
  EXPECT_EQ(filter.commands(), 1u);
}

TEST(ClientStreamFilterTest, TelnetRecognisesARefusal) {
  ClientStreamFilter filter(ClientProtocol::kTelnet);
  EXPECT_EQ(FilterAll(filter, {"ttyhub: port p3 is full (1 clients)\r\n"}), "");
  EXPECT_TRUE(filter.refused());
  EXPECT_FALSE(filter.synced());
}

TEST(TelnetClientCommandsTest, HelloAgreesToBinaryAndEndsWithAyt) {
  const std::string hello = TelnetClientHello(/*rfc2217=*/true);
  EXPECT_NE(hello.find(std::string{kIac, kDo, '\x00'}), std::string::npos);    // DO BINARY
  EXPECT_NE(hello.find(std::string{kIac, kWill, '\x00'}), std::string::npos);  // WILL BINARY
  EXPECT_NE(hello.find(std::string{kIac, kWill, kComPort}), std::string::npos);
  EXPECT_EQ(hello.substr(hello.size() - 2), std::string({kIac, kAyt}));
  EXPECT_EQ(TelnetClientHello(false).find(std::string{kIac, kWill, kComPort}), std::string::npos);
}

TEST(TelnetClientCommandsTest, BaudRateValueIsEscaped) {
  EXPECT_EQ(Rfc2217SetBaudRate(0x0001ffff),
            std::string(
                {kIac, kSb, kComPort, '\x01', '\x00', '\x01', kIac, kIac, kIac, kIac, kIac, kSe}));
  EXPECT_EQ(Rfc2217FlowControlSuspend(), std::string({kIac, kSb, kComPort, '\x08', kIac, kSe}));
  EXPECT_EQ(Rfc2217FlowControlResume(), std::string({kIac, kSb, kComPort, '\x09', kIac, kSe}));
}

}  // namespace
}  // namespace ttyhub::bench
