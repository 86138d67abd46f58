#include "engine/telnet_decoder.h"

#include <string>
#include <vector>

#include "engine/telnet_protocol.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using namespace telnet;  // NOLINT

struct Decoded {
  std::string data;
  std::vector<TelnetEvent> events;
};

// Decodes `input` fed in chunks of `chunk` bytes (state must carry over).
Decoded Decode(TelnetDecoder& d, const std::string& input, size_t chunk = 1 << 20) {
  Decoded out;
  for (size_t off = 0; off < input.size(); off += chunk) {
    std::string piece = input.substr(off, chunk);
    const size_t n = d.Decode(reinterpret_cast<uint8_t*>(piece.data()), piece.size(), &out.events);
    out.data.append(piece.data(), n);
  }
  return out;
}

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(TelnetDecoderTest, PlainDataPassesThrough) {
  TelnetDecoder d;
  d.set_binary(true);
  EXPECT_EQ(Decode(d, "hello\r\n\x01\x7f").data, "hello\r\n\x01\x7f");
}

TEST(TelnetDecoderTest, DoubledIacIsOneDataByte) {
  TelnetDecoder d;
  d.set_binary(true);
  const Decoded r = Decode(d, Bytes({'a', kIac, kIac, 'b', kIac, kIac}));
  EXPECT_EQ(r.data, Bytes({'a', 0xFF, 'b', 0xFF}));
  EXPECT_TRUE(r.events.empty());
}

TEST(TelnetDecoderTest, CrNulAndCrLfWithoutBinary) {
  TelnetDecoder d;
  EXPECT_EQ(Decode(d, std::string("ls\r\0pwd\r\nx\ry", 12)).data, "ls\rpwd\rx\ry");
  TelnetDecoder b;
  b.set_binary(true);
  EXPECT_EQ(Decode(b, std::string("a\r\0b\r\n", 7)).data, std::string("a\r\0b\r\n", 7));
}

TEST(TelnetDecoderTest, BinaryTakesEffectMidRead) {
  TelnetDecoder d;  // not binary yet
  const std::string in = Bytes(
      {'a', '\r', 0, kIac, kWill, kOptBinary, 'b', '\r', 0, kIac, kWont, kOptBinary, 'c', '\r', 0});
  EXPECT_EQ(Decode(d, in).data, std::string("a\rb\r\0c\r", 7));
}

TEST(TelnetDecoderTest, NegotiationsAndCommandsBecomeEvents) {
  TelnetDecoder d;
  const Decoded r = Decode(d, Bytes({'x', kIac, kDo, kOptEcho, kIac, kWill, kOptBinary, 'y', kIac,
                                     kBrk, kIac, kNop, kIac, kAyt, 'z'}));
  EXPECT_EQ(r.data, "xyz");
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].kind, TelnetEvent::Kind::kDo);
  EXPECT_EQ(r.events[0].code, kOptEcho);
  EXPECT_EQ(r.events[1].kind, TelnetEvent::Kind::kWill);
  EXPECT_EQ(r.events[2].kind, TelnetEvent::Kind::kCommand);
  EXPECT_EQ(r.events[2].code, kBrk);
  EXPECT_EQ(r.events[3].code, kAyt);
}

TEST(TelnetDecoderTest, SubnegotiationWithEscapedIac) {
  TelnetDecoder d;
  const Decoded r =
      Decode(d, Bytes({kIac, kSb, kOptComPort, 1, 0, 0, kIac, kIac, 0x10, kIac, kSe, 'k'}));
  EXPECT_EQ(r.data, "k");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, TelnetEvent::Kind::kSubnegotiation);
  EXPECT_EQ(r.events[0].code, kOptComPort);
  EXPECT_EQ(r.events[0].payload, Bytes({1, 0, 0, 0xFF, 0x10}));
  EXPECT_FALSE(r.events[0].truncated);
}

TEST(TelnetDecoderTest, SequencesSplitAcrossReadsByteByByte) {
  const std::string stream = Bytes({'a', kIac, kIac, kIac, kWill, kOptSga, kIac, kSb, kOptComPort,
                                    5, 3, kIac, kSe, '\r', 0, 'b'});
  TelnetDecoder whole;
  const Decoded a = Decode(whole, stream);
  TelnetDecoder pieces;
  const Decoded b = Decode(pieces, stream, 1);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.data, Bytes({'a', 0xFF, '\r', 'b'}));
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[1].payload, Bytes({5, 3}));
}

TEST(TelnetDecoderTest, OverlongSubnegotiationIsBoundedAndReported) {
  TelnetDecoder d;
  std::string s = Bytes({kIac, kSb, kOptComPort});
  s += std::string(1 << 20, 'A');  // 1 MiB with no end in sight
  const Decoded first = Decode(d, s, 65536);
  EXPECT_TRUE(first.events.empty());
  EXPECT_TRUE(first.data.empty());
  const Decoded end = Decode(d, Bytes({kIac, kSe, 'o', 'k'}));
  EXPECT_EQ(end.data, "ok");
  ASSERT_EQ(end.events.size(), 1u);
  EXPECT_TRUE(end.events[0].truncated);
  EXPECT_EQ(end.events[0].payload.size(), TelnetDecoder::kMaxSubnegotiation);
  EXPECT_EQ(d.protocol_errors(), 1u);
}

TEST(TelnetDecoderTest, AbandonedSubnegotiationThenCommand) {
  TelnetDecoder d;
  const Decoded r = Decode(d, Bytes({kIac, kSb, kOptComPort, 1, kIac, kDo, kOptSga, 'x'}));
  EXPECT_EQ(r.data, "x");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, TelnetEvent::Kind::kDo);
  EXPECT_EQ(d.protocol_errors(), 1u);
}

TEST(TelnetDecoderTest, StraySeIsCounted) {
  TelnetDecoder d;
  EXPECT_EQ(Decode(d, Bytes({'a', kIac, kSe, 'b'})).data, "ab");
  EXPECT_EQ(d.protocol_errors(), 1u);
}

}  // namespace
}  // namespace ttyhub
