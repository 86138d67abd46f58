// The terminal behind a CUSE listener, and its ioctls, against ttyhub's own
// RFC 2217 server side (TelnetSession + Rfc2217Handler over a fake line):
// termios changes reach the line with parity and data bits, ro refuses,
// TCSETSW and tcdrain wait for the server's answer, 0xFF passes both ways.
#include "engine/cuse_terminal.h"

#include <sys/ioctl.h>
#include <termios.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/cuse_ioctl.h"
#include "engine/cuse_termios.h"
#include "engine/modem_lines.h"
#include "engine/telnet_protocol.h"
#include "engine/telnet_session.h"
#include "gtest/gtest.h"
#include "tests/engine/fake_serial_line.h"

namespace ttyhub {
namespace {

SerialSettings Settings(const char* text, FlowControl flow = FlowControl::kNone) {
  SerialSettings s = *ParseSerialSettings(text);
  s.flow = flow;
  return s;
}

// The port's side: a telnet/RFC 2217 session over a fake line, with the
// device's bytes collected.
struct FakePort {
  FakeSerialLine line;
  TelnetSession session{/*rfc2217=*/true, line, "test"};
  std::string device;  // data bytes the terminal wrote
  uint64_t position = 0;

  // Takes what the terminal sent; `act` runs the commands (as the port
  // does once the bytes before them are written), else they wait.
  void Receive(CuseTerminal& t, bool act = true) {
    std::string wire;
    wire.swap(t.to_port());
    std::vector<uint8_t> buf(wire.begin(), wire.end());
    const size_t n = session.DecodeInput(buf.data(), buf.size(), position);
    device.append(reinterpret_cast<const char*>(buf.data()), n);
    position += n;
    if (act) session.ProcessEventsThrough(position);
  }
  // Sends the session's answers and `data` to the terminal.
  void Send(CuseTerminal& t, const std::string& data = "") {
    std::string wire = session.output();
    session.output().clear();
    for (char c : data) {
      wire.push_back(c);
      if (static_cast<uint8_t>(c) == 0xFF) wire.push_back(c);
    }
    std::vector<uint8_t> buf(wire.begin(), wire.end());
    t.FromPort(buf.data(), buf.size());
  }
  void RoundTrip(CuseTerminal& t) {
    Receive(t);
    Send(t);
  }
};

std::string TermiosBytes(uint32_t cflag, uint32_t iflag = 0) {
  SerialTermios t;
  t.cflag = cflag;
  t.iflag = iflag;
  return KernelBytesFromTermios(t, kKernelTermiosBytes);
}

TEST(CuseTerminalTest, LearnsTheSettingsInForceAtConnect) {
  FakePort port;
  port.line.settings = Settings("115200o71", FlowControl::kXonXoff);
  CuseTerminal t(/*may_change=*/true, Settings("9600n81"));
  t.Connect();
  EXPECT_FALSE(t.settings_known());
  // A TCGETS now waits for the answers, then reports them.
  CuseIoctlReply r = HandleCuseIoctl(t, TCGETS, 0, "");
  EXPECT_TRUE(r.again);
  EXPECT_FALSE(t.Reached(r.wait));
  port.RoundTrip(t);
  EXPECT_TRUE(t.Reached(r.wait));
  EXPECT_TRUE(t.settings_known());
  EXPECT_EQ(t.settings(), Settings("115200o71", FlowControl::kXonXoff));
  r = HandleCuseIoctl(t, TCGETS, 0, "");
  ASSERT_EQ(r.error, 0);
  ASSERT_EQ(r.out.size(), kKernelTermiosBytes);
  const SerialTermios got = TermiosFromKernelBytes(r.out);
  EXPECT_EQ(got.cflag & (CBAUD | CSIZE | PARENB | PARODD),
            static_cast<uint32_t>(B115200 | CS7 | PARENB | PARODD));
  EXPECT_NE(got.iflag & IXON, 0u);
  EXPECT_EQ(port.line.settings, Settings("115200o71", FlowControl::kXonXoff))
      << "the queries changed nothing";
}

TEST(CuseTerminalTest, ARefreshShowsChangesMadeElsewhere) {
  FakePort port;
  port.line.settings = Settings("115200n81");
  CuseTerminal t(true, Settings("9600n81"));
  t.Connect();
  port.RoundTrip(t);
  EXPECT_EQ(t.settings(), Settings("115200n81"));
  port.line.settings = Settings("57600e71");  // ttyhubctl set, say
  t.Refresh();                                // an application opens the device
  const CuseIoctlReply r = HandleCuseIoctl(t, TCGETS, 0, "");
  ASSERT_TRUE(r.again) << "TCGETS waits for the fresh answers";
  port.RoundTrip(t);
  ASSERT_TRUE(t.Reached(r.wait));
  EXPECT_EQ(t.settings(), Settings("57600e71"));
}

TEST(CuseTerminalTest, TcsetsReachesTheLineWithParityAndDataBits) {
  FakePort port;
  port.line.settings = Settings("115200n81");
  CuseTerminal t(true, Settings("115200n81"));
  t.Connect();
  port.RoundTrip(t);
  const CuseIoctlReply r =
      HandleCuseIoctl(t, TCSETS, 0, TermiosBytes(B9600 | CS8 | PARENB | CSTOPB | CRTSCTS));
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.wait, 0u) << "TCSETS does not wait";
  port.RoundTrip(t);
  EXPECT_EQ(port.line.settings, Settings("9600e82", FlowControl::kRtsCts));
  EXPECT_EQ(t.settings(), Settings("9600e82", FlowControl::kRtsCts));
  // termios2 with a speed that has no Bxxx code.
  SerialTermios t2;
  t2.cflag = kBother | CS7 | PARENB | PARODD;
  t2.ospeed = 250000;
  EXPECT_EQ(HandleCuseIoctl(t, kTcsets2, 0, KernelBytesFromTermios(t2, 44)).error, 0);
  port.RoundTrip(t);
  EXPECT_EQ(port.line.settings, Settings("250000o71"));
  const CuseIoctlReply g = HandleCuseIoctl(t, kTcgets2, 0, "");
  ASSERT_EQ(g.out.size(), kKernelTermios2Bytes);
  EXPECT_EQ(TermiosFromKernelBytes(g.out).ospeed, 250000u);
}

TEST(CuseTerminalTest, TcsetswAndTcdrainWaitUntilThePortActed) {
  FakePort port;
  CuseTerminal t(true, Settings("9600n81"));
  t.Connect();
  port.RoundTrip(t);
  ASSERT_EQ(t.Write("before"), 6u);
  const CuseIoctlReply r = HandleCuseIoctl(t, TCSETSW, 0, TermiosBytes(B19200 | CS8));
  ASSERT_EQ(r.error, 0);
  ASSERT_NE(r.wait, 0u);
  // The bytes reach the port, but it has not written them yet: the
  // command waits, and so does the ioctl.
  port.Receive(t, /*act=*/false);
  port.Send(t);
  EXPECT_EQ(port.device, "before");
  EXPECT_FALSE(t.Reached(r.wait));
  EXPECT_EQ(port.line.settings.baud, 9600u);
  port.session.ProcessEventsThrough(port.position);
  port.Send(t);
  EXPECT_TRUE(t.Reached(r.wait));
  EXPECT_EQ(port.line.settings.baud, 19200u);

  const CuseIoctlReply drain = HandleCuseIoctl(t, TCSBRK, 1, "");
  ASSERT_EQ(drain.error, 0);
  EXPECT_FALSE(t.Reached(drain.wait));
  port.RoundTrip(t);
  EXPECT_TRUE(t.Reached(drain.wait));
  EXPECT_EQ(port.line.breaks_pulsed, 0) << "TCSBRK 1 is tcdrain, not a break";
  const CuseIoctlReply brk = HandleCuseIoctl(t, TCSBRK, 0, "");
  port.RoundTrip(t);
  EXPECT_TRUE(t.Reached(brk.wait));
  EXPECT_EQ(port.line.breaks_pulsed, 1);
}

TEST(CuseTerminalTest, ModemLinesAndBreak) {
  FakePort port;
  port.line.modem = telnet::comport::kStateCts | telnet::comport::kStateDcd;
  CuseTerminal t(true, Settings("9600n81"));
  t.Connect();
  port.RoundTrip(t);
  const int off = kModemDtr;
  ASSERT_EQ(
      HandleCuseIoctl(t, TIOCMBIC, 0, std::string(reinterpret_cast<const char*>(&off), 4)).error,
      0);
  port.RoundTrip(t);
  EXPECT_EQ(port.line.outputs, kModemRts);
  const CuseIoctlReply m = HandleCuseIoctl(t, TIOCMGET, 0, "");
  ASSERT_EQ(m.out.size(), 4u);
  int bits = 0;
  std::memcpy(&bits, m.out.data(), 4);
  EXPECT_EQ(bits, kModemRts | kModemCts | kModemDcd);
  const int both = kModemDtr | kModemRts;
  ASSERT_EQ(
      HandleCuseIoctl(t, TIOCMSET, 0, std::string(reinterpret_cast<const char*>(&both), 4)).error,
      0);
  port.RoundTrip(t);
  EXPECT_EQ(port.line.outputs, kModemDtr | kModemRts);
  EXPECT_EQ(HandleCuseIoctl(t, TIOCSBRK, 0, "").error, 0);
  port.RoundTrip(t);
  EXPECT_TRUE(port.line.brk);
  EXPECT_EQ(HandleCuseIoctl(t, TIOCCBRK, 0, "").error, 0);
  port.RoundTrip(t);
  EXPECT_FALSE(port.line.brk);
}

TEST(CuseTerminalTest, ReadOnlyRefusesChangesButNotTheSameSettings) {
  FakePort port;
  port.line.settings = Settings("115200n81");
  CuseTerminal t(/*may_change=*/false, Settings("115200n81"));
  t.Connect();
  port.RoundTrip(t);
  // stty-like: the same line settings, other flags: fine.
  EXPECT_EQ(HandleCuseIoctl(t, TCSETS, 0, TermiosBytes(B115200 | CS8, ICRNL)).error, 0);
  EXPECT_EQ(HandleCuseIoctl(t, TCSETS, 0, TermiosBytes(B9600 | CS8 | PARENB)).error, EPERM);
  const int dtr = kModemDtr;
  EXPECT_EQ(
      HandleCuseIoctl(t, TIOCMBIC, 0, std::string(reinterpret_cast<const char*>(&dtr), 4)).error,
      EPERM);
  EXPECT_EQ(HandleCuseIoctl(t, TCSBRK, 0, "").error, EPERM);
  EXPECT_EQ(HandleCuseIoctl(t, TIOCSBRK, 0, "").error, EPERM);
  port.RoundTrip(t);
  EXPECT_EQ(port.line.settings, Settings("115200n81"));
  EXPECT_EQ(port.line.outputs, kModemDtr | kModemRts);
  EXPECT_FALSE(port.line.brk);
}

TEST(CuseTerminalTest, BytesExactBothWaysWithFF) {
  FakePort port;
  CuseTerminal t(true, Settings("9600n81"));
  t.Connect();
  port.RoundTrip(t);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  all += "\xff\xff\r\n\r";
  ASSERT_EQ(t.Write(all), all.size());
  port.Receive(t);
  EXPECT_EQ(port.device, all);
  port.Send(t, all);
  ASSERT_EQ(t.rx_size(), all.size());
  const CuseIoctlReply inq = HandleCuseIoctl(t, TIOCINQ, 0, "");
  int n = 0;
  std::memcpy(&n, inq.out.data(), 4);
  EXPECT_EQ(static_cast<size_t>(n), all.size());
  std::string got(all.size(), '\0');
  EXPECT_EQ(t.Read(got.data(), got.size()), all.size());
  EXPECT_EQ(got, all);
}

TEST(CuseTerminalTest, QueuesAreBounded) {
  FakePort port;
  CuseTerminal t(true, Settings("9600n81"), CuseTerminal::Limits{100, 64});
  t.Connect();
  port.RoundTrip(t);
  port.Send(t, std::string(150, 'x'));
  EXPECT_EQ(t.rx_size(), 100u);
  EXPECT_EQ(t.rx_dropped(), 50u);
  HandleCuseIoctl(t, TCFLSH, TCIFLUSH, "");
  EXPECT_EQ(t.rx_size(), 0u);
  port.RoundTrip(t);
  EXPECT_EQ(port.line.purged_rx, 1);
  // Writes take what fits (each byte may need two on the wire).
  EXPECT_EQ(t.Write(std::string(100, '\xff')), 32u);
  EXPECT_EQ(t.Write("more"), 0u);
  port.Receive(t);
  EXPECT_EQ(t.Write("more"), 4u);
}

TEST(CuseTerminalTest, UnknownIoctlsAndLostConnections) {
  CuseTerminal t(true, Settings("9600n81"));
  EXPECT_EQ(HandleCuseIoctl(t, 0x5490, 0, "").error, ENOTTY);
  EXPECT_FALSE(CuseIoctlBuffersFor(0x5490).has_value());
  EXPECT_EQ(HandleCuseIoctl(t, TCFLSH, 7, "").error, EINVAL);
  // Not connected: nothing to wait for, so waiting ioctls fail at once and
  // TCGETS answers with what it has.
  EXPECT_EQ(HandleCuseIoctl(t, TCSETSW, 0, TermiosBytes(B9600 | CS8)).error, EIO);
  EXPECT_EQ(HandleCuseIoctl(t, TCGETS, 0, "").out.size(), kKernelTermiosBytes);
  EXPECT_EQ(t.Write("x"), 0u);
  // A short argument never reads past it.
  EXPECT_EQ(HandleCuseIoctl(t, TCSETS, 0, "abc").error, EFAULT);
}

}  // namespace
}  // namespace ttyhub
