// Which filesystem a path lives on, as /proc/self/mountinfo describes it:
// its type (ext4, tmpfs, ...), its source (a block device for a disk) and
// where it is mounted. Where console logs are written matters to what
// logging costs: tmpfs is memory, ext4 on a disk has writeback behind it.
// Stateless; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_FILESYSTEM_INFO_H_
#define TTYHUB_TOOLS_BENCH_FILESYSTEM_INFO_H_

#include <string>

#include "absl/status/statusor.h"

namespace ttyhub::bench {

struct FilesystemInfo {
  std::string type;         // "ext4", "tmpfs", ...
  std::string source;       // "/dev/vda", "tmpfs", ...
  std::string mount_point;  // "/"
  std::string options;      // the mount's options, e.g. "rw,relatime"

  // "ext4 (/dev/vda mounted at /, rw,relatime)".
  std::string Describe() const;
};

// The filesystem of `path` (which must exist): the mount with the same
// device whose mount point is the longest prefix of the path.
absl::StatusOr<FilesystemInfo> FilesystemOf(const std::string& path);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_FILESYSTEM_INFO_H_
