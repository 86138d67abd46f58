// `ttyhubctl connect` (issue 12, section 4), end to end in a real terminal:
// ttyhubctl runs in a tmux pane (send-keys types, capture-pane reads the
// screen), the daemon serves a pty that the test plays as the device, so
// what reaches the device is read back byte for byte. `stty -a` runs in the
// pane before and after each session; the test also reads the pane's
// settings while the session runs, to show that raw mode was on and is
// undone.
//
// The break test runs the engine in this process with a recording
// TtyControl: a pty cannot show a break (TIOCSBRK on a pty does nothing),
// so what is checked is what a UART would have been told, at the seam. The
// read-only test runs ttyhubctl as uid nobody with a chosen group
// (setpriv), so the daemon decides by real credentials; it and the others
// need root (as CI has) and are skipped without it.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "config/config_loader.h"
#include "engine/engine.h"
#include "engine/logger.h"
#include "gtest/gtest.h"
#include "tests/engine/recording_tty_control.h"
#include "tests/integration/harness.h"
#include "tests/integration/tmux_session.h"

namespace ttyhub::testing {
namespace {

constexpr gid_t kRwGroup = 42420;
constexpr gid_t kRoGroup = 42430;

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The words of `stty -a`, to ask whether a flag is on ("echo") or off ("-echo").
std::set<std::string> SttyWords(const std::string& stty) {
  std::set<std::string> words;
  for (absl::string_view w : absl::StrSplit(stty, absl::ByAnyChar(" ;\n"), absl::SkipEmpty())) {
    words.insert(std::string(w));
  }
  return words;
}

// Connects to a unix socket and returns the descriptor (a test's own client).
int ConnectUnix(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, path.data(), path.size());
  if (connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

class ConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (ttyhubctl runs as other users, as in CI)";
    if (!TmuxSession::Available()) GTEST_SKIP() << "tmux is not installed (tools/dev.sh test does)";
    ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);  // uid nobody reaches the socket directory
    pty_.LinkAs(dir_.File("dev"));
    admin_ = FreeTcpPorts(1)[0];
  }

  std::string Url() const { return absl::StrCat("http://127.0.0.1:", admin_); }
  std::string SocketDir() const { return dir_.File("run"); }

  // Starts the daemon: port sw1 on the test's pty, `listen` its listener
  // list (YAML flow style), `extra` more keys of the port.
  void StartDaemon(const std::string& listen, const std::string& extra = "") {
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "admin: {listen: \"127.0.0.1:", admin_, "\"}\nports:\n  - name: sw1\n    device: ",
        dir_.File("dev"), "\n", extra, "    listen: ", listen, "\n")));
  }

  // Runs ttyhubctl with `args` in a new tmux session named by `tag`,
  // bracketed by `stty -a` in the pane (TAG.before, TAG.after); its pid goes
  // to TAG.pid, its exit status to TAG.rc. `as` is a command prefix (setpriv).
  TmuxSession& StartClient(const std::string& tag, const std::string& args,
                           const std::string& as = "") {
    sessions_.push_back(std::make_unique<TmuxSession>(dir_.File(tag + ".tmux")));
    TmuxSession& s = *sessions_.back();
    const std::string f = dir_.File(tag);
    std::ofstream(f + ".sh") << "stty -a > " << f << ".before\n"
                             << "sh -c 'echo $$ > " << f << ".pid; exec \"$@\"' sh " << as << " "
                             << TTYHUBCTL_BINARY << " --url " << Url() << " " << args << "\n"
                             << "rc=$?\n"
                             << "stty -a > " << f << ".after\n"
                             << "echo \"$rc\" > " << f << ".rc.tmp && mv " << f << ".rc.tmp " << f
                             << ".rc\n"
                             << "echo 'session over'\n"
                             << "exec tail -f /dev/null\n";
    std::string error;
    EXPECT_TRUE(s.Start(absl::StrCat("TTYHUB_SOCKET_DIR=", SocketDir(), " sh ", f, ".sh"), &error))
        << error;
    return s;
  }

  // Waits for TAG.rc; returns the exit status, or -1 if it never came.
  int WaitForExit(const std::string& tag, Deadline deadline) {
    const std::string path = dir_.File(tag + ".rc");
    while (!deadline.Expired()) {
      int rc = -1;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadWholeFile(path)), &rc)) return rc;
      poll(nullptr, 0, deadline.PollMs(20));
    }
    return -1;
  }

  pid_t ClientPid(const std::string& tag) {
    pid_t pid = 0;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadWholeFile(dir_.File(tag + ".pid"))),
                            &pid)
               ? pid
               : 0;
  }

  // The pane's terminal settings right now.
  std::set<std::string> PaneSettings(TmuxSession& s) {
    std::string out;
    EXPECT_EQ(RunProgram("stty", {"-a", "-F", s.PaneTty()}, "", &out, Deadline::Seconds(10)), 0)
        << out;
    return SttyWords(out);
  }

  void ExpectRaw(TmuxSession& s) {
    const std::set<std::string> w = PaneSettings(s);
    for (const char* flag : {"-icanon", "-echo", "-isig", "-icrnl", "-opost", "-ixon"}) {
      EXPECT_TRUE(w.count(flag)) << flag << " is not set while connected";
    }
  }

  // The pane's `stty -a` before and after the session are the same, and
  // were a cooked terminal (so the raw mode seen meanwhile was undone).
  void ExpectRestored(const std::string& tag) {
    const std::string before = ReadWholeFile(dir_.File(tag + ".before"));
    const std::string after = ReadWholeFile(dir_.File(tag + ".after"));
    ASSERT_FALSE(before.empty());
    EXPECT_EQ(before, after);
    const std::set<std::string> w = SttyWords(before);
    EXPECT_TRUE(w.count("icanon") && w.count("echo") && w.count("isig")) << before;
  }

  // True if `text` reaches the device within a second.
  bool ReachesDevice(const std::string& text) {
    std::string got;
    pty_.ReadSome(&got, text.size(), Deadline(std::chrono::milliseconds(1000)));
    if (got.size() < text.size() && !got.empty()) {
      pty_.ReadExactly(&got, text.size() - got.size(), Deadline::Seconds(5));
    }
    return got == text;
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  uint16_t admin_ = 0;
  std::vector<std::unique_ptr<TmuxSession>> sessions_;
};

TEST_F(ConnectTest, TypeSeeTheDeviceAndQuitRestoresTheTerminal) {
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet}]"));
  TmuxSession& s = StartClient("a", "connect sw1");
  ASSERT_TRUE(s.WaitFor("[ttyhubctl: connected to port sw1 (unix:", Deadline::Seconds(20)))
      << s.Screen();
  ExpectRaw(s);

  // Keystrokes reach the device at once, exactly; the terminal does not
  // echo them (only the device would).
  ASSERT_TRUE(s.Type("show clock"));
  ASSERT_TRUE(s.Press("Enter"));
  std::string typed;
  ASSERT_TRUE(pty_.ReadExactly(&typed, 11, Deadline::Seconds(10))) << typed;
  EXPECT_EQ(typed, "show clock\r");
  EXPECT_FALSE(absl::StrContains(s.Screen(), "show clock")) << "echoed locally:\n" << s.Screen();
  // What the device says appears.
  ASSERT_TRUE(pty_.WriteAll("show clock\r\n*09:00:00 UTC Router#", Deadline::Seconds(10)));
  EXPECT_TRUE(s.WaitFor("*09:00:00 UTC Router#", Deadline::Seconds(10))) << s.Screen();

  // ~s: the port, its settings, who writes, and this client found by its
  // credentials' peer text.
  ASSERT_TRUE(s.Type("\r"));
  ASSERT_TRUE(pty_.ReadExactly(&typed, 1, Deadline::Seconds(10)));
  ASSERT_TRUE(s.Type("~s"));
  EXPECT_TRUE(s.WaitFor("writing: every rw client (write: shared)", Deadline::Seconds(10)))
      << s.Screen();
  EXPECT_TRUE(s.WaitFor(absl::StrCat("you: client #1 (uid 0 pid ", ClientPid("a"), "), rw, writes"),
                        Deadline::Seconds(10)))
      << s.Screen();
  EXPECT_TRUE(absl::StrContains(s.Screen(), "connection: unix:")) << s.Screen();
  // ~? lists the escapes.
  ASSERT_TRUE(s.Type("~?"));
  EXPECT_TRUE(s.WaitFor("~w  ask for the write role", Deadline::Seconds(10))) << s.Screen();
  // None of that reached the device.
  std::string stray;
  EXPECT_EQ(pty_.ReadSome(&stray, 64, Deadline(std::chrono::milliseconds(300))), 0u) << stray;

  ASSERT_TRUE(s.Type("~."));
  EXPECT_EQ(WaitForExit("a", Deadline::Seconds(20)), 0) << s.Screen();
  EXPECT_TRUE(absl::StrContains(s.Screen(), "[ttyhubctl: disconnected from port sw1: ~.]"))
      << s.Screen();
  ExpectRestored("a");
}

// Every other way out restores the terminal too, with its exit status.
TEST_F(ConnectTest, SignalsAndTheDaemonGoingAwayRestoreTheTerminal) {
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet}]"));
  const struct {
    const char* tag;
    int signal;  // 0: the daemon stops
    int status;
    const char* reason;
  } cases[] = {{"term", SIGTERM, 128 + SIGTERM, "SIGTERM"},
               {"hup", SIGHUP, 128 + SIGHUP, "SIGHUP"},
               {"int", SIGINT, 128 + SIGINT, "SIGINT"},
               {"eof", 0, 1, "ttyhub closed the connection"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.tag);
    TmuxSession& s = StartClient(c.tag, "connect sw1");
    ASSERT_TRUE(s.WaitFor("[ttyhubctl: connected to port sw1", Deadline::Seconds(20)))
        << s.Screen();
    ExpectRaw(s);
    if (c.signal != 0) {
      const pid_t pid = ClientPid(c.tag);
      ASSERT_GT(pid, 0);
      ASSERT_EQ(kill(pid, c.signal), 0);
    } else {
      ASSERT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);
    }
    EXPECT_EQ(WaitForExit(c.tag, Deadline::Seconds(20)), c.status) << s.Screen();
    EXPECT_TRUE(
        s.WaitFor(absl::StrCat("disconnected from port sw1: ", c.reason), Deadline::Seconds(5)))
        << s.Screen();
    ExpectRestored(c.tag);
  }
}

// A closed ssh session: the terminal hangs up under ttyhubctl (SIGHUP to
// the session, then EIO on reads). It must leave at once with 129, not
// spin or hang. (No terminal is left to restore, so only the exit is
// checked; here the terminal is a pty the test owns and closes.)
TEST_F(ConnectTest, AHungUpTerminalEndsTheSession) {
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet}]"));
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  const std::string url = Url(), dir = SocketDir();
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    close(master);
    execl(TTYHUBCTL_BINARY, "ttyhubctl", "--url", url.c_str(), "connect", "sw1", "--socket-dir",
          dir.c_str(), nullptr);
    _exit(127);
  }
  close(slave);
  fcntl(master, F_SETFL, O_NONBLOCK);
  std::string screen;
  const Deadline connected = Deadline::Seconds(20);
  while (!connected.Expired() && !absl::StrContains(screen, "connected to port sw1")) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, connected.PollMs()) == 1) {
      char buf[4096];
      const ssize_t n = read(master, buf, sizeof(buf));
      if (n > 0) screen.append(buf, static_cast<size_t>(n));
    }
  }
  ASSERT_TRUE(absl::StrContains(screen, "connected to port sw1")) << screen;
  close(master);  // the ssh session is gone
  int status = -1;
  const Deadline gone = Deadline::Seconds(10);
  while (!gone.Expired() && waitpid(pid, &status, WNOHANG) != pid) poll(nullptr, 0, 20);
  if (gone.Expired()) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "ttyhubctl did not leave after its terminal hung up";
  }
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 129);
}

// A client the unix listener puts in ro_groups watches but cannot type; a
// client in rw_groups can (so the test can fail).
TEST_F(ConnectTest, AClientInRoGroupsCannotType) {
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet, rw_groups: [",
                           kRwGroup, "], ro_groups: [", kRoGroup, "], mode: \"0666\"}]"));
  const std::string nobody_with = "setpriv --reuid=65534 --regid=65534 --groups=";
  TmuxSession& ro = StartClient("ro", "connect sw1", absl::StrCat(nobody_with, kRoGroup));
  ASSERT_TRUE(ro.WaitFor("[ttyhubctl: connected to port sw1", Deadline::Seconds(20)))
      << ro.Screen();
  ASSERT_TRUE(ro.Type("reload"));
  ASSERT_TRUE(ro.Press("Enter"));
  EXPECT_FALSE(ReachesDevice("reload\r")) << "a read-only client's keystrokes reached the device";
  // It still sees the console.
  ASSERT_TRUE(pty_.WriteAll("Router# ", Deadline::Seconds(10)));
  EXPECT_TRUE(ro.WaitFor("Router# ", Deadline::Seconds(10))) << ro.Screen();
  // ~s finds it as uid nobody, read-only.
  ASSERT_TRUE(ro.Type("~s"));
  EXPECT_TRUE(ro.WaitFor(absl::StrCat("(uid 65534 pid ", ClientPid("ro"), "), ro, read-only"),
                         Deadline::Seconds(10)))
      << ro.Screen();

  TmuxSession& rw = StartClient("rw", "connect sw1", absl::StrCat(nobody_with, kRwGroup));
  ASSERT_TRUE(rw.WaitFor("[ttyhubctl: connected to port sw1", Deadline::Seconds(20)))
      << rw.Screen();
  ASSERT_TRUE(rw.Type("show ver"));
  ASSERT_TRUE(rw.Press("Enter"));
  EXPECT_TRUE(ReachesDevice("show ver\r"));
  ASSERT_TRUE(ro.Type("~."));
  EXPECT_EQ(WaitForExit("ro", Deadline::Seconds(20)), 0);
  ExpectRestored("ro");
}

// --ro never sends keystrokes, even where the server would take them;
// escapes still work. -e changes the escape character.
TEST_F(ConnectTest, ReadOnlyFlagAndAnotherEscapeCharacter) {
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet}]"));
  TmuxSession& s = StartClient("ro", "connect sw1 --ro -e '#'");
  ASSERT_TRUE(s.WaitFor("[ttyhubctl: connected to port sw1", Deadline::Seconds(20))) << s.Screen();
  ASSERT_TRUE(s.Type("conf t"));
  ASSERT_TRUE(s.Press("Enter"));
  EXPECT_FALSE(ReachesDevice("conf t\r"));
  EXPECT_TRUE(s.WaitFor("read-only (--ro): what you type is not sent; #. disconnects",
                        Deadline::Seconds(10)))
      << s.Screen();
  ASSERT_TRUE(s.Type("~.\r#?"));  // ~ is no escape now; # is, at the start of a line
  EXPECT_TRUE(s.WaitFor("#b  send a break", Deadline::Seconds(10))) << s.Screen();
  ASSERT_TRUE(s.Type("#."));
  EXPECT_EQ(WaitForExit("ro", Deadline::Seconds(20)), 0) << s.Screen();
  ExpectRestored("ro");
}

// ~w: a viewer of an exclusive listener asks for the write role and types;
// --force takes it at connect; the one demoted is told and stays.
TEST_F(ConnectTest, WriteRoleByEscapeAndByForce) {
  StartDaemon(
      absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet, write: exclusive}]"));
  const int holder = ConnectUnix(absl::StrCat(SocketDir(), "/sw1.sock"));
  ASSERT_GE(holder, 0);
  TmuxSession& a = StartClient("a", "connect sw1");
  ASSERT_TRUE(a.WaitFor("you are a viewer until it leaves", Deadline::Seconds(20))) << a.Screen();
  ASSERT_TRUE(a.Type("one\r"));
  EXPECT_FALSE(ReachesDevice("one\r")) << "a viewer typed into the device";
  ASSERT_TRUE(a.Type("~w"));
  EXPECT_TRUE(a.WaitFor("given to client #2 (you)", Deadline::Seconds(10))) << a.Screen();
  EXPECT_TRUE(a.WaitFor("ttyhub: you hold the write role on port sw1 now", Deadline::Seconds(10)))
      << a.Screen();
  ASSERT_TRUE(a.Type("two\r"));
  EXPECT_TRUE(ReachesDevice("two\r"));

  TmuxSession& b = StartClient("b", "connect sw1 --force");
  ASSERT_TRUE(b.WaitFor("given to client #3 (you)", Deadline::Seconds(20))) << b.Screen();
  EXPECT_TRUE(
      a.WaitFor("an operator gave the write role on port sw1 to client #3", Deadline::Seconds(10)))
      << a.Screen();
  ASSERT_TRUE(b.Type("three\r"));
  EXPECT_TRUE(ReachesDevice("three\r"));
  ASSERT_TRUE(a.Type("four\r"));
  EXPECT_FALSE(ReachesDevice("four\r"));
  close(holder);
}

// ~r replays the console log through the admin API.
TEST_F(ConnectTest, ReplayShowsTheConsoleLog) {
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(), "/%n.sock, protocol: telnet}]"),
              absl::StrCat("    log: {path: ", dir_.File("%n.log"), "}\n"));
  ASSERT_TRUE(pty_.WriteAll("boot line one\r\nboot line two\r\n", Deadline::Seconds(10)));
  // Logged before anyone connects: a new client sees it only by replay.
  const Deadline logged = Deadline::Seconds(10);
  while (!logged.Expired() &&
         !absl::StrContains(ReadWholeFile(dir_.File("sw1.log")), "boot line two")) {
    poll(nullptr, 0, logged.PollMs(20));
  }
  TmuxSession& s = StartClient("r", "connect sw1 --lines 5");
  ASSERT_TRUE(s.WaitFor("[ttyhubctl: connected to port sw1", Deadline::Seconds(20))) << s.Screen();
  EXPECT_FALSE(absl::StrContains(s.Screen(), "boot line one"));
  ASSERT_TRUE(s.Type("~r"));
  EXPECT_TRUE(s.WaitFor("the last 5 lines of port sw1's console log:", Deadline::Seconds(10)))
      << s.Screen();
  EXPECT_TRUE(s.WaitFor("Z boot line one", Deadline::Seconds(10))) << s.Screen();
  EXPECT_TRUE(s.WaitFor("Z boot line two", Deadline::Seconds(10))) << s.Screen();
  EXPECT_TRUE(s.WaitFor("end of the replay; live output follows", Deadline::Seconds(10)))
      << s.Screen();
}

// Without a port: the consoles, by name, with how to reach them. With
// --host: TCP, the listener found through the admin API, raw bytes.
TEST_F(ConnectTest, ListsConsolesAndConnectsOverTcpByName) {
  const uint16_t tcp = FreeTcpPorts(1)[0];
  StartDaemon(absl::StrCat("[{unix: ", SocketDir(),
                           "/%n.sock, protocol: telnet}, {port: \"127.0.0.1:", tcp,
                           "\", protocol: raw}]"));
  std::string out;
  ASSERT_EQ(RunProgram(TTYHUBCTL_BINARY, {"--url", Url(), "connect", "--socket-dir", SocketDir()},
                       "", &out, Deadline::Seconds(20)),
            0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "PORT  STATE  REACHABLE AT")) << out;
  EXPECT_TRUE(
      absl::StrContains(out, absl::StrCat("sw1   open   unix ", SocketDir(),
                                          "/sw1.sock (telnet); tcp 127.0.0.1:", tcp, " (raw, rw)")))
      << out;

  TmuxSession& s = StartClient("tcp", "--host 127.0.0.1 connect sw1");
  ASSERT_TRUE(
      s.WaitFor(absl::StrCat("connected to port sw1 (tcp 127.0.0.1:", tcp), Deadline::Seconds(20)))
      << s.Screen();
  ASSERT_TRUE(s.Type("exit\r"));
  EXPECT_TRUE(ReachesDevice("exit\r"));
  ASSERT_TRUE(s.Type("~s"));
  EXPECT_TRUE(
      s.WaitFor(absl::StrCat("connection: tcp 127.0.0.1:", tcp, ", raw"), Deadline::Seconds(10)))
      << s.Screen();
  EXPECT_TRUE(s.WaitFor("you: client #1 (127.0.0.1:", Deadline::Seconds(10))) << s.Screen();
  ASSERT_TRUE(s.Type("~b"));
  EXPECT_TRUE(s.WaitFor("is a raw listener: a break cannot be sent over it", Deadline::Seconds(10)))
      << s.Screen();
  ASSERT_TRUE(s.Type("~."));
  EXPECT_EQ(WaitForExit("tcp", Deadline::Seconds(20)), 0);
  ExpectRestored("tcp");
}

// ~b on a telnet listener: IAC BRK reaches the engine, which starts a break
// of about 250 ms at the device seam and ends it. No admin API here, so
// ttyhubctl also shows that it recognises telnet from the first bytes.
TEST_F(ConnectTest, BreakReachesTheDeviceSeam) {
  auto config = LoadConfigText(
      absl::StrCat(
          "workers: 1\nlock_dir: off\nports:\n  - name: sw1\n    device: ", pty_.slave_path(),
          "\n    listen: [{unix: ", SocketDir(), "/%n.sock, protocol: telnet}]\n"),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  Logger log(LogLevel::kWarn);
  RecordingTtyControl tty;
  Engine engine(*config, log, tty);
  ASSERT_TRUE(engine.Start().ok());
  // The admin URL points at a closed port: the API cannot be asked.
  TmuxSession& s = StartClient("brk", "connect sw1");
  ASSERT_TRUE(s.WaitFor("[ttyhubctl: connected to port sw1", Deadline::Seconds(20))) << s.Screen();
  ASSERT_TRUE(s.Type("x\r"));
  EXPECT_TRUE(ReachesDevice("x\r")) << "the session is not up";
  EXPECT_TRUE(tty.breaks().empty());
  ASSERT_TRUE(s.Type("~b"));
  EXPECT_TRUE(s.WaitFor("[ttyhubctl: break sent", Deadline::Seconds(10))) << s.Screen();
  const Deadline ended = Deadline::Seconds(10);
  while (!ended.Expired() && tty.breaks().size() < 2) poll(nullptr, 0, ended.PollMs(20));
  EXPECT_EQ(tty.breaks(), (std::vector<bool>{true, false})) << "break on, then off";
  ASSERT_TRUE(s.Type("~s"));
  EXPECT_TRUE(s.WaitFor("[ttyhubctl: no status: cannot reach ttyhub at", Deadline::Seconds(10)))
      << s.Screen();
  ASSERT_TRUE(s.Type("~."));
  EXPECT_EQ(WaitForExit("brk", Deadline::Seconds(20)), 0);
  engine.Stop(std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace ttyhub::testing
