// UUCP device locks: the file format minicom and ser2net share, live and
// stale owners, symlinked device names, and releasing only our own lock.
#include "engine/uucp_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

class UucpLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ttyhub-lock-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    locks_ = dir_ + "/locks";
    ASSERT_EQ(mkdir(locks_.c_str(), 0755), 0);
    device_ = dir_ + "/ttyS7";
    std::ofstream(device_) << "";
    link_ = dir_ + "/by-id-console";
    ASSERT_EQ(symlink(device_.c_str(), link_.c_str()), 0);
  }
  void TearDown() override { (void)system(absl::StrCat("rm -rf '", dir_, "'").c_str()); }

  std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void WriteLock(const std::string& contents) { std::ofstream(locks_ + "/LCK..ttyS7") << contents; }
  // A PID that is certainly not running: a child that has exited and been reaped.
  static pid_t DeadPid() {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status = 0;
    waitpid(pid, &status, 0);
    return pid;
  }

  std::string dir_, locks_, device_, link_;
};

TEST_F(UucpLockTest, WritesTheUucpFormatUnderTheRealDevicesName) {
  UucpLock lock(locks_, link_);
  EXPECT_EQ(lock.LockPath(), locks_ + "/LCK..ttyS7")
      << "symlinks are resolved, as minicom names it";
  ASSERT_TRUE(lock.Acquire().ok());
  EXPECT_TRUE(lock.held());
  EXPECT_EQ(Read(locks_ + "/LCK..ttyS7"), absl::StrFormat("%10d\n", getpid()));
  struct stat st {};
  ASSERT_EQ(stat((locks_ + "/LCK..ttyS7").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  lock.Release();
  EXPECT_FALSE(lock.held());
  EXPECT_NE(access((locks_ + "/LCK..ttyS7").c_str(), F_OK), 0) << "released: the file is gone";
}

TEST_F(UucpLockTest, ALiveOwnerIsNamedAndKeepsTheDevice) {
  const pid_t holder = fork();
  if (holder == 0) {
    pause();
    _exit(0);
  }
  WriteLock(absl::StrFormat("%10d\n", holder));
  UucpLock lock(locks_, device_);
  const absl::Status s = lock.Acquire();
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  ASSERT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_NE(s.message().find(absl::StrCat("is locked by PID ", holder, " (")),
            absl::string_view::npos)
      << s;
  EXPECT_NE(s.message().find("LCK..ttyS7"), absl::string_view::npos) << s;
  EXPECT_FALSE(lock.held());
  // Its owner died: now the lock is stale and is taken over.
  pid_t stale = 0;
  ASSERT_TRUE(lock.Acquire(&stale).ok());
  EXPECT_EQ(stale, holder);
  EXPECT_EQ(Read(locks_ + "/LCK..ttyS7"), absl::StrFormat("%10d\n", getpid()));
}

TEST_F(UucpLockTest, StaleAndGarbledLocksAreTakenOver) {
  const pid_t dead = DeadPid();
  WriteLock(absl::StrCat(dead, "\n"));
  UucpLock lock(locks_, device_);
  pid_t stale = 0;
  ASSERT_TRUE(lock.Acquire(&stale).ok());
  EXPECT_EQ(stale, dead);
  lock.Release();
  // Garbage written just now may be a lock being created: wait for it...
  WriteLock("not a pid");
  EXPECT_TRUE(absl::IsUnavailable(lock.Acquire()));
  // ...but an old one is stale.
  const std::string path = locks_ + "/LCK..ttyS7";
  const struct timespec old[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), old, 0), 0);
  ASSERT_TRUE(lock.Acquire(&stale).ok());
  EXPECT_EQ(stale, -1);
}

TEST_F(UucpLockTest, ReleaseNeverRemovesSomeoneElsesLock) {
  UucpLock lock(locks_, device_);
  ASSERT_TRUE(lock.Acquire().ok());
  WriteLock("      4242\n");  // someone (wrongly) replaced it
  lock.Release();
  EXPECT_EQ(Read(locks_ + "/LCK..ttyS7"), "      4242\n");
}

TEST_F(UucpLockTest, AMissingDirectoryIsAnErrorButNotUnavailable) {
  UucpLock lock(dir_ + "/no-such-dir", device_);
  const absl::Status s = lock.Acquire();
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(absl::IsUnavailable(s)) << "the port may go on without a lock: " << s;
}

TEST(UucpLockParseTest, ReadsAsciiAndBinaryPids) {
  EXPECT_EQ(UucpLock::ParseLockPid("      1234\n"), 1234);
  EXPECT_EQ(UucpLock::ParseLockPid("1234"), 1234);
  const int32_t binary = 5678;
  EXPECT_EQ(UucpLock::ParseLockPid(std::string(reinterpret_cast<const char*>(&binary), 4)), 5678);
  EXPECT_EQ(UucpLock::ParseLockPid(""), -1);
  EXPECT_EQ(UucpLock::ParseLockPid("abc\n"), -1);
  EXPECT_EQ(UucpLock::ParseLockPid("-5\n"), -1);
  EXPECT_EQ(UucpLock::ParseLockPid("99999999999999\n"), -1);
}

}  // namespace
}  // namespace ttyhub
