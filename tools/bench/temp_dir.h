// A private temporary directory for one benchmark run (server configs, logs,
// pid files), removed with its contents on destruction.
//
// Owned by the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_TEMP_DIR_H_
#define TTYHUB_TOOLS_BENCH_TEMP_DIR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub::bench {

class TempDir {
 public:
  // Creates /tmp/ttyhub-bench-XXXXXX (or under $TMPDIR).
  static absl::StatusOr<std::unique_ptr<TempDir>> Create();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(absl::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TEMP_DIR_H_
