#include "engine/telnet_encoder.h"

#include <string>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

std::string Wire(const TelnetSendPlan& p, size_t limit = static_cast<size_t>(-1)) {
  std::string s;
  for (int i = 0; i < p.iovcnt && s.size() < limit; ++i) {
    s.append(static_cast<const char*>(p.iov[i].iov_base), p.iov[i].iov_len);
  }
  return s.substr(0, limit);
}

TEST(TelnetEncoderTest, CleanBinaryDataIsOneSpanPointingIntoTheRing) {
  const std::string data = "no escapes here\r\n";
  TelnetSendPlan p;
  TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(data.data()), data.size(), true, &p);
  ASSERT_EQ(p.iovcnt, 1);
  EXPECT_EQ(p.iov[0].iov_base, data.data());  // zero copy
  EXPECT_EQ(p.wire_bytes, data.size());
}

TEST(TelnetEncoderTest, IacIsDoubledWithoutCopying) {
  const std::string data(
      "a\xff"
      "b\xff\xff",
      5);
  TelnetSendPlan p;
  TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(data.data()), data.size(), true, &p);
  EXPECT_EQ(Wire(p), std::string("a\xff\xff"
                                 "b\xff\xff\xff\xff",
                                 8));
  EXPECT_EQ(p.data_bytes, 5u);
  EXPECT_EQ(p.wire_bytes, 8u);
  EXPECT_EQ(p.iov[0].iov_base, data.data());
}

TEST(TelnetEncoderTest, BareCrGetsNulOutsideBinary) {
  const std::string data = "a\rb\r\nc\r";
  TelnetSendPlan p;
  TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(data.data()), data.size(), false, &p);
  EXPECT_EQ(Wire(p), std::string("a\r\0b\r\nc\r\0", 9));
  TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(data.data()), data.size(), true, &p);
  EXPECT_EQ(Wire(p), data);
}

TEST(TelnetEncoderTest, PartialSendsAccountForRingBytesAndOwedEscapes) {
  const std::string data(
      "ab\xff"
      "cd",
      5);  // wire: a b FF FF c d
  TelnetSendPlan p;
  TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(data.data()), data.size(), true, &p);
  size_t consumed;
  bool owed;
  uint8_t byte = 0;
  TelnetEncoder::Account(p, 2, &consumed, &owed, &byte);
  EXPECT_EQ(consumed, 2u);
  EXPECT_FALSE(owed);
  // The data 0xFF went out but not its escape: it is owed.
  TelnetEncoder::Account(p, 3, &consumed, &owed, &byte);
  EXPECT_EQ(consumed, 3u);
  EXPECT_TRUE(owed);
  EXPECT_EQ(byte, 0xFF);
  TelnetEncoder::Account(p, 4, &consumed, &owed, &byte);
  EXPECT_EQ(consumed, 3u);
  EXPECT_FALSE(owed);
  TelnetEncoder::Account(p, 6, &consumed, &owed, &byte);
  EXPECT_EQ(consumed, 5u);
  EXPECT_FALSE(owed);
}

TEST(TelnetEncoderTest, ManyEscapesAreSplitAcrossSends) {
  const std::string data(1000, '\xff');
  TelnetSendPlan p;
  TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(data.data()), data.size(), true, &p);
  EXPECT_LE(p.iovcnt, TelnetSendPlan::kMaxIov);
  EXPECT_EQ(p.data_bytes, static_cast<size_t>(TelnetSendPlan::kMaxIov / 2));
  EXPECT_EQ(p.wire_bytes, 2 * p.data_bytes);
  EXPECT_EQ(Wire(p), std::string(p.wire_bytes, '\xff'));
}

TEST(TelnetEncoderTest, AppendEncodedEscapesAsPlanDoes) {
  const std::string data =
      "a\xff\xff"
      "b\rc\r\nd";
  std::string out = "banner ";
  TelnetEncoder::AppendEncoded(reinterpret_cast<const uint8_t*>(data.data()), data.size(), false,
                               &out);
  EXPECT_EQ(out, std::string("banner a\xff\xff\xff\xff"
                             "b\r\0c\r\nd",
                             19));
  std::string binary;
  TelnetEncoder::AppendEncoded(reinterpret_cast<const uint8_t*>(data.data()), data.size(), true,
                               &binary);
  EXPECT_EQ(binary,
            "a\xff\xff\xff\xff"
            "b\rc\r\nd");
  // More escapes than one plan holds.
  const std::string many(1000, '\xff');
  std::string wire;
  TelnetEncoder::AppendEncoded(reinterpret_cast<const uint8_t*>(many.data()), many.size(), true,
                               &wire);
  EXPECT_EQ(wire, std::string(2000, '\xff'));
}

}  // namespace
}  // namespace ttyhub
