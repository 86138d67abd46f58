// Unix-socket listeners (issue 12, section 3), end to end: the daemon
// serving a pty on a socket file; clients are child processes that drop to
// an unprivileged uid with chosen groups, so access is decided by real
// credentials (SO_PEERCRED, SO_PEERGROUPS). Needs root to switch uid, as
// CI has; skipped otherwise.
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

constexpr uid_t kNobody = 65534;
constexpr gid_t kRwGroup = 42420;
constexpr gid_t kRoGroup = 42430;

// In a child running as uid `kNobody` with supplementary `groups`: connects
// to `path`, sends `text`, and returns (through a pipe) what it received
// within ~1 s, prefixed "CONNECTED\n", or "CONNECT FAILED: <errno text>".
std::string AsUser(const std::string& path, const std::vector<gid_t>& groups,
                   const std::string& text) {
  int out[2];
  if (pipe(out) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    std::string result;
    if (setgroups(groups.size(), groups.data()) != 0 || setgid(kNobody) != 0 ||
        setuid(kNobody) != 0) {
      result = "DROP FAILED";
    } else {
      const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un sun{};
      sun.sun_family = AF_UNIX;
      std::memcpy(sun.sun_path, path.data(), path.size());
      if (connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) != 0) {
        result = absl::StrCat("CONNECT FAILED: ", strerror(errno));
      } else {
        result = "CONNECTED\n";
        (void)!send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        for (;;) {
          pollfd p{fd, POLLIN, 0};
          if (poll(&p, 1, 1000) <= 0) break;
          char buf[4096];
          const ssize_t n = read(fd, buf, sizeof(buf));
          if (n <= 0) break;
          result.append(buf, static_cast<size_t>(n));
        }
      }
    }
    (void)!write(out[1], result.data(), result.size());
    _exit(0);
  }
  close(out[1]);
  std::string result;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) result.append(buf, static_cast<size_t>(n));
  close(out[0]);
  waitpid(pid, nullptr, 0);
  return result;
}

class UnixListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run clients under other credentials";
    pty_.LinkAs(dir_.File("dev"));
    // The socket's directory must be reachable by uid nobody.
    ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  }
  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
};

TEST_F(UnixListenerTest, CredentialsDecideAccessAndTheSocketFileIsManaged) {
  const std::string sock = dir_.File("run/%n.sock");
  const std::string path = dir_.File("run/sw1.sock");
  ASSERT_TRUE(daemon_.Start(absl::StrCat("ports:\n  - name: sw1\n    device: ", dir_.File("dev"),
                                         "\n    listen: [{unix: ", sock, ", rw_groups: [", kRwGroup,
                                         "], ro_groups: [", kRoGroup,
                                         "], mode: \"0666\", protocol: raw}]\n")));
  struct stat st {};
  ASSERT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0666u);
  EXPECT_EQ(st.st_gid, kRwGroup) << "the socket file belongs to the first rw group";

  // A member of rw_groups types, and it reaches the device.
  const std::string rw = AsUser(path, {kRwGroup}, "show ver\r");
  EXPECT_TRUE(absl::StartsWith(rw, "CONNECTED\n")) << rw;
  std::string typed;
  ASSERT_TRUE(pty_.ReadExactly(&typed, 9, Deadline::Seconds(10)));
  EXPECT_EQ(typed, "show ver\r");
  // A member of ro_groups watches; what it types is discarded.
  const std::string ro = AsUser(path, {kRoGroup}, "reload\r");
  EXPECT_TRUE(absl::StartsWith(ro, "CONNECTED\n")) << ro;
  std::string more;
  EXPECT_EQ(pty_.ReadSome(&more, 64, Deadline(std::chrono::milliseconds(500))), 0u) << more;
  // Anyone else is refused with a reason; the refusal is logged.
  const std::string stranger = AsUser(path, {}, "x");
  EXPECT_TRUE(absl::StrContains(stranger, "ttyhub: uid 65534 pid ")) << stranger;
  EXPECT_TRUE(absl::StrContains(stranger, "may not use port sw1")) << stranger;
  EXPECT_TRUE(daemon_.WaitForLog("port sw1: refused uid 65534 pid ", Deadline::Seconds(5)));

  // On exit the socket file goes.
  ASSERT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);
  EXPECT_NE(lstat(path.c_str(), &st), 0) << "the socket file is removed on exit";
}

TEST_F(UnixListenerTest, AStaleSocketIsReplacedButAFileIsNot) {
  const std::string path = dir_.File("sw1.sock");
  // A socket file left by a process that died: nobody accepts on it.
  {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.data(), path.size());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)), 0);
    close(fd);
  }
  const std::string yaml = absl::StrCat("ports:\n  - name: sw1\n    device: ", dir_.File("dev"),
                                        "\n    listen: [{unix: ", path, ", mode: \"0666\"}]\n");
  ASSERT_TRUE(daemon_.Start(yaml));
  // The listener names no groups: only root may use it.
  const std::string root = AsUser(path, {kRwGroup}, "");
  EXPECT_TRUE(absl::StrContains(root, "may not use port sw1")) << root;
  ASSERT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);

  // A regular file at the path is never replaced.
  std::ofstream(path) << "precious";
  std::string out;

  const std::string config = dir_.File("second.yaml");
  std::ofstream(config) << "lock_dir: off\n" << yaml;
  EXPECT_EQ(Daemon::RunToCompletion({"-c", config}, &out, Deadline::Seconds(20)), 1);
  EXPECT_TRUE(absl::StrContains(out, "exists and is not a socket; ttyhub will not replace it"))
      << out;
}

}  // namespace
}  // namespace ttyhub::testing
