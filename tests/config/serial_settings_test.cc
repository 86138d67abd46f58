#include "config/serial_settings.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

TEST(SerialSettingsTest, ParsesCommonForms) {
  auto s = ParseSerialSettings("115200n81");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->baud, 115200u);
  EXPECT_EQ(s->parity, Parity::kNone);
  EXPECT_EQ(s->data_bits, 8);
  EXPECT_EQ(s->stop_bits, 1);

  s = ParseSerialSettings("9600E72");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->baud, 9600u);
  EXPECT_EQ(s->parity, Parity::kEven);
  EXPECT_EQ(s->data_bits, 7);
  EXPECT_EQ(s->stop_bits, 2);
}

TEST(SerialSettingsTest, AllParities) {
  EXPECT_EQ(ParseSerialSettings("300o81")->parity, Parity::kOdd);
  EXPECT_EQ(ParseSerialSettings("300m81")->parity, Parity::kMark);
  EXPECT_EQ(ParseSerialSettings("300S81")->parity, Parity::kSpace);
}

TEST(SerialSettingsTest, ArbitraryBaud) {
  auto s = ParseSerialSettings("250000n81");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->baud, 250000u);
}

TEST(SerialSettingsTest, ErrorsNameTheProblem) {
  EXPECT_EQ(ParseSerialSettings("9600x81").status().message(),
            "unknown parity 'x' in '9600x81' (use n, e, o, m or s)");
  EXPECT_EQ(ParseSerialSettings("9600n91").status().message(),
            "data bits must be 5 to 8, got '9' in '9600n91'");
  EXPECT_EQ(ParseSerialSettings("9600n83").status().message(),
            "stop bits must be 1 or 2, got '3' in '9600n83'");
  EXPECT_EQ(ParseSerialSettings("n81").status().message(),
            "expected <baud><parity><data bits><stop bits>, like 115200n81, got 'n81'");
  EXPECT_EQ(ParseSerialSettings("0n81").status().message(),
            "baud rate 0 is out of range (50 to 12000000) in '0n81'");
  EXPECT_FALSE(ParseSerialSettings("9600n8").ok());
  EXPECT_FALSE(ParseSerialSettings("9600n811").ok());
  EXPECT_FALSE(ParseSerialSettings("999999999999n81").ok());
  EXPECT_FALSE(ParseSerialSettings("").ok());
}

// Issue 9 item 16: rates no UART can run (up to 4294967295 got through)
// are refused, from the config and from RFC 2217 alike (CheckBaudRate).
TEST(SerialSettingsTest, BaudRateRangeIsWhatHardwareCanRun) {
  EXPECT_TRUE(CheckBaudRate(50).ok());
  EXPECT_TRUE(CheckBaudRate(4'000'000).ok());   // B4000000, Linux's largest Bxxx
  EXPECT_TRUE(CheckBaudRate(12'000'000).ok());  // FT232H-class adapters
  EXPECT_EQ(CheckBaudRate(0).message(), "baud rate 0 is out of range (50 to 12000000)");
  EXPECT_EQ(CheckBaudRate(49).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBaudRate(12'000'001).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckBaudRate(4'294'967'295u).message(),
            "baud rate 4294967295 is out of range (50 to 12000000)");

  EXPECT_EQ(ParseSerialSettings("12000000n81")->baud, 12'000'000u);
  EXPECT_EQ(ParseSerialSettings("50n81")->baud, 50u);
  EXPECT_EQ(ParseSerialSettings("49n81").status().message(),
            "baud rate 49 is out of range (50 to 12000000) in '49n81'");
  EXPECT_EQ(ParseSerialSettings("20000000n81").status().message(),
            "baud rate too large in '20000000n81' (50 to 12000000)");
  EXPECT_FALSE(ParseSerialSettings("12000001n81").ok());
  EXPECT_FALSE(ParseSerialSettings("4294967295n81").ok());
}

TEST(SerialSettingsTest, FormatsConventionally) {
  SerialSettings s;
  s.baud = 9600;
  s.parity = Parity::kEven;
  s.data_bits = 7;
  s.stop_bits = 1;
  EXPECT_EQ(FormatSerialSettings(s), "9600E71");
}

TEST(SerialSettingsTest, FlowControl) {
  EXPECT_EQ(*ParseFlowControl("rtscts"), FlowControl::kRtsCts);
  EXPECT_EQ(*ParseFlowControl("XONXOFF"), FlowControl::kXonXoff);
  EXPECT_EQ(*ParseFlowControl("none"), FlowControl::kNone);
  EXPECT_EQ(ParseFlowControl("hw").status().message(),
            "unknown flow control 'hw' (use none, xonxoff or rtscts)");
}

}  // namespace
}  // namespace ttyhub
