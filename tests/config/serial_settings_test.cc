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
  EXPECT_EQ(ParseSerialSettings("0n81").status().message(), "baud rate 0 in '0n81'");
  EXPECT_FALSE(ParseSerialSettings("9600n8").ok());
  EXPECT_FALSE(ParseSerialSettings("9600n811").ok());
  EXPECT_FALSE(ParseSerialSettings("999999999999n81").ok());
  EXPECT_FALSE(ParseSerialSettings("").ok());
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
