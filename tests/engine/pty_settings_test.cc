// A pty listener's termios read back as port settings: only what a pty can
// carry (speed, stop bits, flow control), and only what changed.
#include "engine/pty_settings.h"

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

// What the kernel leaves of a termios on a pty: CS8 forced, PARENB cleared.
SerialTermios AsPtyKeepsIt(SerialTermios t) {
  t.cflag &= ~static_cast<uint32_t>(CSIZE | PARENB);
  t.cflag |= CS8 | CREAD;
  return t;
}

PtyLineView ViewOf(const SerialSettings& s) {
  return PtyLineViewOf(AsPtyKeepsIt(BuildTermios(SerialTermios{}, s, true)));
}

TEST(PtySettingsTest, ReadsSpeedStopBitsAndFlow) {
  EXPECT_EQ(ViewOf(S("9600n82", FlowControl::kRtsCts)),
            (PtyLineView{9600, 2, FlowControl::kRtsCts}));
  EXPECT_EQ(ViewOf(S("115200n81", FlowControl::kXonXoff)),
            (PtyLineView{115200, 1, FlowControl::kXonXoff}));
  // A rate without a Bxxx code travels as BOTHER.
  EXPECT_EQ(ViewOf(S("250000n81")), (PtyLineView{250000, 1, FlowControl::kNone}));
}

TEST(PtySettingsTest, TheProgramsChangeKeepsThePortsFraming) {
  // The port runs 7E1 on a real UART; the program on the pty cannot say
  // parity or data bits (the kernel strips them), so asking for 19200 must
  // not turn the port into 8N1.
  const SerialSettings line = S("9600e71");
  const PtyLineView before = ViewOf(line);
  const PtyLineView now = ViewOf(S("19200n81"));
  EXPECT_EQ(FormatSerialSettings(PtyChangeRequest(line, before, now)), "19200E71");
}

TEST(PtySettingsTest, OnlyWhatChangedIsTaken) {
  // The port was set to 57600 meanwhile (ttyhubctl set): a program that
  // only adds RTS/CTS does not put its old 9600 back.
  const SerialSettings line = S("57600n81");
  const PtyLineView before = ViewOf(S("9600n81"));
  const PtyLineView now = ViewOf(S("9600n81", FlowControl::kRtsCts));
  const SerialSettings wanted = PtyChangeRequest(line, before, now);
  EXPECT_EQ(wanted.baud, 57600u);
  EXPECT_EQ(wanted.flow, FlowControl::kRtsCts);
  EXPECT_EQ(wanted.stop_bits, 1);
  // Stop bits alone.
  EXPECT_EQ(PtyChangeRequest(line, before, ViewOf(S("9600n82"))).stop_bits, 2);
  // Back to none.
  EXPECT_EQ(PtyChangeRequest(S("9600n81", FlowControl::kRtsCts), now, before).flow,
            FlowControl::kNone);
}

TEST(PtySettingsTest, HangUpIsNotASpeed) {
  SerialTermios t = BuildTermios(SerialTermios{}, S("9600n81"), true);
  t.cflag &= ~static_cast<uint32_t>(CBAUD);  // B0
  t.ospeed = t.ispeed = 0;
  const PtyLineView b0 = PtyLineViewOf(t);
  EXPECT_EQ(PtyChangeRequest(S("9600n81"), ViewOf(S("9600n81")), b0).baud, 9600u);
}

TEST(PtySettingsTest, TheInitialTermiosIsRawWithTheLineAndReportsChanges) {
  const SerialTermios t = InitialPtyTermios(SerialTermios{}, S("19200n82", FlowControl::kRtsCts));
  EXPECT_NE(t.lflag & EXTPROC, 0u) << "without EXTPROC the master hears of no termios change";
  EXPECT_EQ(t.lflag & (ICANON | ECHO | ISIG), 0u);
  EXPECT_EQ(t.oflag & OPOST, 0u);
  EXPECT_NE(t.cflag & CLOCAL, 0u);
  EXPECT_EQ(PtyLineViewOf(t), (PtyLineView{19200, 2, FlowControl::kRtsCts}));
}

}  // namespace
}  // namespace ttyhub
