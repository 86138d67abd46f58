// DeviceReadProbe: answers with a reason, and leaves nothing behind (its
// pty, its ring, any thread). Which answer is right depends on the kernel:
// the test prints it, and tools/run-on-kernel.sh shows it for Debian's 6.1.
#include "engine/device_read_probe.h"

#include <dirent.h>

#include <iostream>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

int Count(const char* dir_path) {
  int n = 0;
  DIR* dir = opendir(dir_path);
  if (dir == nullptr) return -1;
  while (dirent* e = readdir(dir)) n += e->d_name[0] != '.';
  closedir(dir);
  return n;
}

TEST(DeviceReadProbeTest, AnswersWithAReasonAndLeavesNothingBehind) {
  const int fds = Count("/proc/self/fd");
  const DeviceReadProbe probe = ProbeDeviceReads();
  std::cout << "device reads on this kernel: " << probe.why << "\n";
  EXPECT_FALSE(probe.why.empty());
  EXPECT_EQ(probe.uring_reads, probe.why.rfind("io_uring READ", 0) == 0) << probe.why;
  EXPECT_EQ(Count("/proc/self/fd"), fds) << "the probe leaked a descriptor";
}

}  // namespace
}  // namespace ttyhub
