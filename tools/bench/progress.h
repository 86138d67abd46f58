// Progress lines on stderr ("[ttyhub-bench] ..."), so that stdout carries
// only the report. Detail lines appear with --verbose. The tool's single
// thread.
#ifndef TTYHUB_TOOLS_BENCH_PROGRESS_H_
#define TTYHUB_TOOLS_BENCH_PROGRESS_H_

#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"

namespace ttyhub::bench {

class Progress {
 public:
  explicit Progress(bool verbose) : verbose_(verbose) {}
  void Log(absl::string_view line) const {
    std::fprintf(stderr, "[ttyhub-bench] %.*s\n", static_cast<int>(line.size()), line.data());
  }
  void Detail(absl::string_view line) const {
    if (verbose_) Log(line);
  }

 private:
  bool verbose_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PROGRESS_H_
