// Termios for CUSE listeners: the kernel's byte layouts, what an
// application's TCSETS asks of the port (parity and data bits included:
// what a pty cannot carry), and what TCGETS reports.
#include "engine/cuse_termios.h"

#include <termios.h>

#include <cstring>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

SerialSettings Settings(const char* text, FlowControl flow = FlowControl::kNone) {
  SerialSettings s = *ParseSerialSettings(text);
  s.flow = flow;
  return s;
}

TEST(CuseTermiosTest, KernelLayoutsRoundTrip) {
  SerialTermios t;
  t.iflag = 0x01020304;
  t.cflag = B9600 | CS7 | PARENB;
  t.line = 3;
  t.cc[VMIN] = 5;
  t.ispeed = 12345;
  t.ospeed = 23456;
  const std::string bytes2 = KernelBytesFromTermios(t, kKernelTermios2Bytes);
  ASSERT_EQ(bytes2.size(), 44u);
  const SerialTermios back = TermiosFromKernelBytes(bytes2);
  EXPECT_EQ(std::memcmp(&back, &t, sizeof(t)), 0);
  // struct termios: the same first 36 bytes, no speeds.
  const std::string bytes = KernelBytesFromTermios(t, kKernelTermiosBytes);
  ASSERT_EQ(bytes.size(), 36u);
  const SerialTermios short_back = TermiosFromKernelBytes(bytes);
  EXPECT_EQ(short_back.cflag, t.cflag);
  EXPECT_EQ(short_back.cc[VMIN], 5);
  EXPECT_EQ(short_back.ospeed, 0u);
  uint32_t cflag_at_8 = 0;
  std::memcpy(&cflag_at_8, bytes.data() + 8, 4);
  EXPECT_EQ(cflag_at_8, t.cflag) << "c_cflag is the third field, as in the kernel's struct";
}

TEST(CuseTermiosTest, NineSixHundredEightE1TwoStopBitsRtsCts) {
  SerialTermios t;
  t.cflag = B9600 | CS8 | PARENB | CSTOPB | CRTSCTS | CREAD;
  auto r = RequestFromTermios(t, Settings("115200n81"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->settings, Settings("9600e82", FlowControl::kRtsCts));
  EXPECT_FALSE(r->hang_up);
}

TEST(CuseTermiosTest, EveryParityAndDataSize) {
  struct Case {
    uint32_t cflag;
    const char* want;
  };
  const Case cases[] = {
      {B1200 | CS5, "1200n51"},
      {B1200 | CS6 | PARENB | PARODD, "1200o61"},
      {B1200 | CS7 | PARENB, "1200e71"},
      {B1200 | CS8 | PARENB | CMSPAR | PARODD, "1200m81"},
      {B1200 | CS8 | PARENB | CMSPAR, "1200s81"},
      {B1200 | CS8 | CMSPAR, "1200n81"},  // CMSPAR without PARENB: no parity
  };
  for (const Case& c : cases) {
    SerialTermios t;
    t.cflag = c.cflag;
    auto r = RequestFromTermios(t, Settings("9600n81"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->settings, Settings(c.want)) << c.want;
  }
}

TEST(CuseTermiosTest, SpeedsBotherB0AndFlow) {
  SerialTermios t;
  t.cflag = kBother | CS8;
  t.ospeed = 250000;
  auto r = RequestFromTermios(t, Settings("9600n81"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->settings.baud, 250000u) << "termios2 carries any speed";

  t.ospeed = 0;  // a struct termios with BOTHER: the speed cannot be told
  r = RequestFromTermios(t, Settings("19200n81"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->settings.baud, 19200u);

  t.cflag = B0 | CS8;  // hang up: DTR and RTS drop, the speed stays
  r = RequestFromTermios(t, Settings("38400n81"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->hang_up);
  EXPECT_EQ(r->settings.baud, 38400u);

  t.cflag = kBother | CS8;
  t.ospeed = 20'000'000;
  EXPECT_EQ(RequestFromTermios(t, Settings("9600n81")).status().code(),
            absl::StatusCode::kInvalidArgument);

  t.cflag = B9600 | CS8;
  t.iflag = IXON | IXOFF;
  r = RequestFromTermios(t, Settings("9600n81"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->settings.flow, FlowControl::kXonXoff);
}

TEST(CuseTermiosTest, TcgetsReportsTheSettingsInForceAndKeepsTheRest) {
  SerialTermios app;
  app.lflag = ECHO | ICANON;
  app.iflag = ICRNL;
  app.cflag = B115200 | CS8 | CREAD | CLOCAL | HUPCL;
  app.cc[VMIN] = 7;
  const SerialTermios t = TermiosWithSettings(app, Settings("9600e72", FlowControl::kRtsCts));
  EXPECT_EQ(t.cflag & CBAUD, static_cast<uint32_t>(B9600));
  EXPECT_EQ(t.cflag & CSIZE, static_cast<uint32_t>(CS7));
  EXPECT_NE(t.cflag & PARENB, 0u);
  EXPECT_EQ(t.cflag & PARODD, 0u);
  EXPECT_NE(t.cflag & CSTOPB, 0u);
  EXPECT_NE(t.cflag & CRTSCTS, 0u);
  EXPECT_EQ(t.ospeed, 9600u);
  // What the port does not hold is as the application set it.
  EXPECT_EQ(t.lflag, app.lflag);
  EXPECT_EQ(t.iflag, app.iflag);
  EXPECT_NE(t.cflag & HUPCL, 0u);
  EXPECT_EQ(t.cc[VMIN], 7);
  // And reading it back asks for nothing new.
  auto r = RequestFromTermios(t, Settings("9600e72", FlowControl::kRtsCts));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->settings, Settings("9600e72", FlowControl::kRtsCts));

  const SerialTermios odd = TermiosWithSettings(app, Settings("250000n81"));
  EXPECT_EQ(odd.cflag & CBAUD, kBother);
  EXPECT_EQ(odd.ospeed, 250000u);
}

TEST(CuseTermiosTest, InitialTermiosIsRaw) {
  const SerialTermios t = InitialCuseTermios(Settings("115200n81"));
  EXPECT_EQ(t.lflag & (ECHO | ICANON | ISIG), 0u);
  EXPECT_EQ(t.oflag & OPOST, 0u);
  EXPECT_NE(t.cflag & CREAD, 0u);
  EXPECT_NE(t.cflag & CLOCAL, 0u);
  EXPECT_EQ(t.cflag & CBAUD, static_cast<uint32_t>(B115200));
  EXPECT_EQ(t.cc[VMIN], 1);
}

}  // namespace
}  // namespace ttyhub
