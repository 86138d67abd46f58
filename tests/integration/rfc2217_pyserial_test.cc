// RFC 2217 against a real peer: pyserial's rfc2217:// client (Debian
// python3-serial) drives an in-process engine whose tty seam records what a
// real UART would be told. The device is a real pty, which keeps speed and
// stop bits (checked on the pty itself) but drops parity, data bits, flow
// control, break and modem lines (checked at the seam).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "config/config_loader.h"
#include "engine/engine.h"
#include "engine/logger.h"
#include "engine/serial_termios.h"
#include "gtest/gtest.h"
#include "tests/engine/recording_tty_control.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

TEST(Rfc2217PyserialTest, SettingsBreakLinesAndBinaryDataWithARealClient) {
  if (access("/usr/bin/python3", X_OK) != 0 ||
      system("/usr/bin/python3 -c 'import serial' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-serial is not installed (tools/dev.sh test installs it)";
  }
  TempDir dir;
  TestPty pty;
  const uint16_t port = FreeTcpPorts(1)[0];
  auto config = LoadConfigText(
      absl::StrCat("workers: 1\nports:\n  - name: p0\n    device: ", pty.slave_path(),
                   "\n    serial: 115200n81\n    listen: [{port: \"127.0.0.1:", port,
                   "\", protocol: rfc2217}]\n"),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Logger log(LogLevel::kWarn);
  RecordingTtyControl tty;
  Engine engine(*config, log, tty);
  ASSERT_TRUE(engine.Start().ok());

  // Run the client; play an echoing device meanwhile.
  const std::string out_path = dir.File("client.out");
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(out, 2);
    const std::string script =
        std::string(TTYHUB_SOURCE_DIR) + "/tests/integration/pyserial_rfc2217_client.py";
    const std::string port_arg = std::to_string(port);
    execl("/usr/bin/python3", "python3", script.c_str(), port_arg.c_str(), nullptr);
    _exit(127);
  }
  int status = -1;
  Deadline deadline = Deadline::Seconds(90);
  while (!deadline.Expired()) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    std::string chunk;
    if (pty.ReadSome(&chunk, 65536, Deadline(std::chrono::milliseconds(50))) > 0) {
      ASSERT_TRUE(pty.WriteAll(chunk, Deadline::Seconds(10)));
    }
  }
  std::string client_log;
  {
    std::string tmp;
    RunProgram("cat", {out_path}, "", &tmp, Deadline::Seconds(5));
    client_log = tmp;
  }
  if (deadline.Expired()) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "pyserial client timed out:\n" << client_log;
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << client_log;
  EXPECT_NE(client_log.find("echo exact"), std::string::npos) << client_log;

  // What the UART was told, in order.
  const std::vector<SerialTermios> applied = tty.applied();
  ASSERT_GE(applied.size(), 10u);
  auto saw = [&](auto pred) {
    for (const SerialTermios& t : applied) {
      if (pred(t)) return true;
    }
    return false;
  };
  EXPECT_TRUE(saw([](const SerialTermios& t) { return SettingsFromTermios(t).baud == 57600; }));
  EXPECT_TRUE(saw([](const SerialTermios& t) {
    return SettingsFromTermios(t).baud == 250000 && (t.cflag & CBAUD) == kBother;
  }));
  EXPECT_TRUE(saw([](const SerialTermios& t) { return (t.cflag & CSIZE) == CS7; }));
  for (Parity p : {Parity::kEven, Parity::kOdd, Parity::kMark, Parity::kSpace}) {
    EXPECT_TRUE(saw([p](const SerialTermios& t) { return SettingsFromTermios(t).parity == p; }))
        << "parity " << ParityLetter(p);
  }
  EXPECT_TRUE(saw([](const SerialTermios& t) { return (t.cflag & CRTSCTS) != 0; }));
  EXPECT_TRUE(
      saw([](const SerialTermios& t) { return (t.iflag & (IXON | IXOFF)) == (IXON | IXOFF); }));
  // The last mark -> even must end as even: CMSPAR cleared.
  const SerialTermios last = applied.back();
  EXPECT_EQ(last.cflag & (PARENB | PARODD | CMSPAR), static_cast<uint32_t>(PARENB));
  EXPECT_EQ(last.cflag & CSIZE, static_cast<uint32_t>(CS8));
  EXPECT_NE(last.cflag & CSTOPB, 0u);
  EXPECT_EQ(last.cflag & CRTSCTS, 0u);
  EXPECT_EQ(last.iflag & (IXON | IXOFF), 0u);
  EXPECT_EQ(SettingsFromTermios(last).baud, 250000u);

  // Break on, then off; DTR and RTS off, then on.
  const std::vector<bool> breaks = tty.breaks();
  ASSERT_GE(breaks.size(), 2u);
  EXPECT_TRUE(breaks[breaks.size() - 2]);
  EXPECT_FALSE(breaks.back());
  bool dtr_off = false, dtr_on_after = false;
  for (const auto& m : tty.modem_changes()) {
    if ((m.bits & kModemDtr) && !m.on) dtr_off = true;
    if ((m.bits & kModemDtr) && m.on && dtr_off) dtr_on_after = true;
  }
  EXPECT_TRUE(dtr_off && dtr_on_after);
  // pyserial purges both buffers when it opens the port.
  EXPECT_FALSE(tty.flushes().empty());

  // The pty itself holds what a pty can: the speed and the stop bits.
  KernelTtyControl kernel;
  const int slave = open(pty.slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(slave, 0);
  SerialTermios kept;
  ASSERT_TRUE(kernel.GetAttr(slave, &kept).ok());
  close(slave);
  EXPECT_EQ(SettingsFromTermios(kept).baud, 250000u);
  EXPECT_NE(kept.cflag & CSTOPB, 0u);

  // The port reports the live settings.
  auto snap = engine.SnapshotPort("p0", std::chrono::seconds(5));
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(FormatSerialSettings(snap->serial), "250000E82");
  EXPECT_GE(snap->counters.rfc2217_changes, 10u);
  engine.Stop(std::chrono::seconds(1));
}

// Issue 9, item 4: pyserial purges both buffers as it opens a port and
// raised "remote rejected value for option 'purge'" on a read-only
// listener, which refused the purge. A viewer's purge is now its own
// business and answered as done; its setting changes are answered with the
// current values (pyserial reports the refusal), and the device keeps its
// settings. Run against the daemon binary (TTYHUB_TEST_BINARY selects one).
TEST(Rfc2217PyserialTest, ReadOnlyListenerOpensReadsAndRefusesChanges) {
  if (access("/usr/bin/python3", X_OK) != 0 ||
      system("/usr/bin/python3 -c 'import serial' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-serial is not installed (tools/dev.sh test installs it)";
  }
  TempDir dir;
  TestPty pty;
  pty.LinkAs(dir.File("dev0"));
  const uint16_t port = FreeTcpPorts(1)[0];
  Daemon daemon(dir);
  ASSERT_TRUE(daemon.Start(absl::StrCat("ports:\n  - name: p0\n    device: ", dir.File("dev0"),
                                        "\n    serial: 9600n81\n    listen: [{port: \"127.0.0.1:",
                                        port, "\", protocol: rfc2217, access: ro}]\n")));
  const std::string out_path = dir.File("viewer.out");
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(out, 2);
    const std::string script =
        std::string(TTYHUB_SOURCE_DIR) + "/tests/integration/pyserial_rfc2217_viewer.py";
    const std::string port_arg = std::to_string(port);
    execl("/usr/bin/python3", "python3", script.c_str(), port_arg.c_str(), "9600", "VIEWME",
          nullptr);
    _exit(127);
  }
  // Play a console that keeps printing, so the viewer has something to read
  // whenever it gets there.
  int status = -1;
  Deadline deadline = Deadline::Seconds(60);
  while (!deadline.Expired()) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    ASSERT_TRUE(pty.WriteAll("VIEWME\r\n", Deadline::Seconds(10)));
    std::string discard;
    pty.ReadSome(&discard, 65536, Deadline(std::chrono::milliseconds(100)));
  }
  std::string client_log;
  RunProgram("cat", {out_path}, "", &client_log, Deadline::Seconds(5));
  if (deadline.Expired()) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "pyserial viewer timed out:\n" << client_log;
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << client_log;
  EXPECT_NE(client_log.find("read device data"), std::string::npos) << client_log;
  EXPECT_NE(client_log.find("change refused"), std::string::npos) << client_log;
  // The device is unchanged: still 9600 on the pty, and no change logged.
  KernelTtyControl kernel;
  const int slave = open(pty.slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(slave, 0);
  SerialTermios kept;
  ASSERT_TRUE(kernel.GetAttr(slave, &kept).ok());
  close(slave);
  EXPECT_EQ(SettingsFromTermios(kept).baud, 9600u);
  EXPECT_EQ(daemon.Log().find("serial settings now"), std::string::npos) << daemon.Log();
}

}  // namespace
}  // namespace ttyhub::testing
