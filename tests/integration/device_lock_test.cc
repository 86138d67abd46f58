// Device locks (issue 11, section 3), end to end: a real pty as the device,
// lock files as minicom writes them, the daemon's JSON API (curl) and log.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DeviceLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    locks_ = dir_.File("locks");
    ASSERT_EQ(mkdir(locks_.c_str(), 0755), 0);
    // The lock is named after the real device: /dev/pts/N -> LCK..N.
    const std::string slave = pty_.slave_path();
    lock_file_ = absl::StrCat(locks_, "/LCK..", slave.substr(slave.rfind('/') + 1));
    pty_.LinkAs(dir_.File("console"));
  }
  void TearDown() override {
    if (holder_ > 0) {
      kill(holder_, SIGKILL);
      waitpid(holder_, nullptr, 0);
    }
  }
  nlohmann::json Port() {
    std::string out;
    const int rc = RunProgram("curl",
                              {"-s", "-S", "-f", "--max-time", "10",
                               absl::StrCat("http://127.0.0.1:", admin_, "/api/v1/ports/c")},
                              "", &out, Deadline::Seconds(20));
    return rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
  }
  bool WaitForState(const std::string& state, int seconds) {
    const Deadline deadline = Deadline::Seconds(seconds);
    while (!deadline.Expired()) {
      const nlohmann::json j = Port();
      if (j.is_object() && j.value("state", "") == state) return true;
      poll(nullptr, 0, deadline.PollMs(100));
    }
    return false;
  }
  void Start() {
    const auto ports = FreeTcpPorts(2);
    admin_ = ports[0];
    ASSERT_TRUE(
        daemon_.Start(absl::StrCat("lock_dir: ", locks_, "\nadmin: {listen: \"127.0.0.1:", admin_,
                                   "\"}\nports:\n  - name: c\n    device: ", dir_.File("console"),
                                   "\n    listen: [{port: \"127.0.0.1:", ports[1], "\"}]\n")));
  }

  TempDir dir_;
  TestPty pty_;
  Daemon daemon_{dir_};
  std::string locks_, lock_file_;
  uint16_t admin_ = 0;
  pid_t holder_ = -1;
};

TEST_F(DeviceLockTest, AHeldDeviceIsReportedAndOpensOnceReleased) {
  // Another program (here a sleeping child) holds the device's lock.
  holder_ = fork();
  if (holder_ == 0) {
    execlp("sleep", "sleep", "600", nullptr);
    _exit(127);
  }
  std::ofstream(lock_file_) << absl::StrFormat("%10d\n", holder_);
  Start();
  const Deadline deadline = Deadline::Seconds(10);
  nlohmann::json j;
  while (!deadline.Expired()) {
    j = Port();
    if (j.is_object() && !j.value("device_error", "").empty()) break;
    poll(nullptr, 0, deadline.PollMs(50));
  }
  EXPECT_EQ(j.value("state", ""), "reopening") << j.dump();
  EXPECT_TRUE(absl::StrContains(
      j.value("device_error", ""),
      absl::StrCat("is locked by PID ", holder_, " (sleep) through ", lock_file_)))
      << j.dump();
  EXPECT_TRUE(daemon_.WaitForLog(absl::StrCat("is locked by PID ", holder_), Deadline::Seconds(5)));
  EXPECT_EQ(ReadFile(lock_file_), absl::StrFormat("%10d\n", holder_)) << "not taken from its owner";

  // The holder releases it (as minicom does on exit): the port opens within
  // its reopen backoff (at most 5 s), with its own lock and TIOCEXCL.
  ASSERT_EQ(unlink(lock_file_.c_str()), 0);
  ASSERT_TRUE(WaitForState("open", 10)) << Port().dump();
  EXPECT_EQ(ReadFile(lock_file_), absl::StrFormat("%10d\n", daemon_.pid()));
  const int probe = open(pty_.slave_path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(probe, 0) << "root may open an exclusive tty";
  int exclusive = 0;
  ASSERT_EQ(ioctl(probe, TIOCGEXCL, &exclusive), 0);
  close(probe);
  EXPECT_EQ(exclusive, 1) << "ttyhub holds the device with TIOCEXCL";

  // On exit the lock goes.
  ASSERT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);
  EXPECT_NE(access(lock_file_.c_str(), F_OK), 0) << ReadFile(lock_file_);
}

TEST_F(DeviceLockTest, AStaleLockIsTakenOver) {
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  std::ofstream(lock_file_) << absl::StrFormat("%10d\n", dead);
  Start();
  ASSERT_TRUE(WaitForState("open", 10)) << Port().dump();
  EXPECT_TRUE(daemon_.WaitForLog(
      absl::StrCat("took over the stale lock ", lock_file_, " of PID ", dead, ", which is gone"),
      Deadline::Seconds(5)));
  EXPECT_EQ(ReadFile(lock_file_), absl::StrFormat("%10d\n", daemon_.pid()));
}

}  // namespace
}  // namespace ttyhub::testing
