// Settings -> termios bits: what a real UART is told. Ptys drop parity and
// data bits, so this is where those are checked.
#include "engine/serial_termios.h"

#include <termios.h>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

SerialSettings S(const char* text, FlowControl flow = FlowControl::kNone) {
  auto s = ParseSerialSettings(text);
  EXPECT_TRUE(s.ok());
  s->flow = flow;
  return *s;
}

// A termios as a freshly opened tty in cooked mode might have it.
SerialTermios Cooked() {
  SerialTermios t;
  t.iflag = ICRNL | IXON | BRKINT | IMAXBEL;
  t.oflag = OPOST | ONLCR;
  t.cflag = B38400 | CS8 | CREAD | HUPCL;
  t.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL | ECHOKE;
  t.line = 0;
  t.cc[VMIN] = 0;
  t.cc[VTIME] = 5;
  return t;
}

TEST(SerialTermiosTest, RawEightBitClean) {
  const SerialTermios t = BuildTermios(Cooked(), S("115200n81"), /*local=*/true);
  EXPECT_EQ(t.iflag & (ICRNL | IXON | BRKINT | ISTRIP | INPCK | IGNCR | INLCR), 0u);
  EXPECT_EQ(t.oflag & OPOST, 0u);
  EXPECT_EQ(t.lflag & (ICANON | ECHO | ISIG | IEXTEN), 0u);
  EXPECT_EQ(t.cflag & CSIZE, static_cast<uint32_t>(CS8));
  EXPECT_EQ(t.cflag & (PARENB | CSTOPB | CRTSCTS | HUPCL), 0u);
  EXPECT_NE(t.cflag & CREAD, 0u);
  EXPECT_NE(t.cflag & CLOCAL, 0u);
  EXPECT_EQ(t.cc[VMIN], 1);
  EXPECT_EQ(t.cc[VTIME], 0);
}

TEST(SerialTermiosTest, StandardBaudUsesBCodeOtherwiseBother) {
  SerialTermios t = BuildTermios(Cooked(), S("9600n81"), true);
  EXPECT_EQ(t.cflag & CBAUD, static_cast<uint32_t>(B9600));
  EXPECT_EQ(t.cflag & CIBAUD, 0u);
  EXPECT_EQ(t.ospeed, 9600u);
  t = BuildTermios(Cooked(), S("250000n81"), true);
  EXPECT_EQ(t.cflag & CBAUD, kBother);
  EXPECT_EQ(t.ospeed, 250000u);
  EXPECT_EQ(t.ispeed, 250000u);
}

TEST(SerialTermiosTest, DataBits) {
  EXPECT_EQ(BuildTermios(Cooked(), S("9600n51"), true).cflag & CSIZE, static_cast<uint32_t>(CS5));
  EXPECT_EQ(BuildTermios(Cooked(), S("9600n61"), true).cflag & CSIZE, static_cast<uint32_t>(CS6));
  EXPECT_EQ(BuildTermios(Cooked(), S("9600n71"), true).cflag & CSIZE, static_cast<uint32_t>(CS7));
}

TEST(SerialTermiosTest, EveryParity) {
  constexpr uint32_t kMask = PARENB | PARODD | CMSPAR;
  EXPECT_EQ(BuildTermios(Cooked(), S("9600n81"), true).cflag & kMask, 0u);
  EXPECT_EQ(BuildTermios(Cooked(), S("9600e71"), true).cflag & kMask,
            static_cast<uint32_t>(PARENB));
  EXPECT_EQ(BuildTermios(Cooked(), S("9600o71"), true).cflag & kMask,
            static_cast<uint32_t>(PARENB | PARODD));
  EXPECT_EQ(BuildTermios(Cooked(), S("9600m71"), true).cflag & kMask,
            static_cast<uint32_t>(PARENB | PARODD | CMSPAR));
  EXPECT_EQ(BuildTermios(Cooked(), S("9600s71"), true).cflag & kMask,
            static_cast<uint32_t>(PARENB | CMSPAR));
  // Parity errors are counted by the driver, not turned into NULs.
  EXPECT_EQ(BuildTermios(Cooked(), S("9600e71"), true).iflag & (INPCK | PARMRK), 0u);
}

TEST(SerialTermiosTest, MarkThenEvenEndsAsEven) {
  // ser2net keeps CMSPAR after MARK, so a later EVEN becomes SPACE.
  const SerialTermios mark = BuildTermios(Cooked(), S("9600m71"), true);
  const SerialTermios even = BuildTermios(mark, S("9600e71"), true);
  EXPECT_EQ(even.cflag & (PARENB | PARODD | CMSPAR), static_cast<uint32_t>(PARENB));
  EXPECT_EQ(SettingsFromTermios(even).parity, Parity::kEven);
}

TEST(SerialTermiosTest, StopBitsFlowAndLocal) {
  EXPECT_NE(BuildTermios(Cooked(), S("9600n82"), true).cflag & CSTOPB, 0u);
  const SerialTermios rts = BuildTermios(Cooked(), S("9600n81", FlowControl::kRtsCts), false);
  EXPECT_NE(rts.cflag & CRTSCTS, 0u);
  EXPECT_EQ(rts.iflag & (IXON | IXOFF), 0u);
  EXPECT_EQ(rts.cflag & CLOCAL, 0u);
  const SerialTermios xon = BuildTermios(rts, S("9600n81", FlowControl::kXonXoff), true);
  EXPECT_EQ(xon.cflag & CRTSCTS, 0u);
  EXPECT_EQ(xon.iflag & (IXON | IXOFF), static_cast<uint32_t>(IXON | IXOFF));
  EXPECT_NE(xon.cflag & CLOCAL, 0u);
}

TEST(SerialTermiosTest, KeepsFieldsItDoesNotOwn) {
  SerialTermios cur = Cooked();
  cur.line = 2;  // some line discipline
  EXPECT_EQ(BuildTermios(cur, S("9600n81"), true).line, 2);
}

TEST(SerialTermiosTest, RoundTrip) {
  for (const char* text :
       {"300n51", "9600e71", "19200o82", "57600m61", "115200s81", "250000n81", "4000000n81"}) {
    for (FlowControl f : {FlowControl::kNone, FlowControl::kRtsCts, FlowControl::kXonXoff}) {
      const SerialSettings s = S(text, f);
      EXPECT_EQ(SettingsFromTermios(BuildTermios(Cooked(), s, true)), s) << text;
    }
  }
}

}  // namespace
}  // namespace ttyhub
