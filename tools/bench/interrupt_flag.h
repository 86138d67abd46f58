// SIGINT/SIGTERM, taken synchronously: the signals are blocked and read from
// a signalfd, so that an interrupted benchmark unwinds normally (stopping
// its servers and removing its files) instead of dying in a handler.
// Belongs to the tool's single thread; create it before any child process.
#ifndef TTYHUB_TOOLS_BENCH_INTERRUPT_FLAG_H_
#define TTYHUB_TOOLS_BENCH_INTERRUPT_FLAG_H_

#include <memory>

#include "absl/status/statusor.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

class InterruptFlag {
 public:
  // Blocks SIGINT and SIGTERM in this thread and opens the signalfd.
  static absl::StatusOr<std::unique_ptr<InterruptFlag>> Create();

  // Non-blocking signalfd; readable when a signal is pending.
  int fd() const { return fd_.get(); }
  // Reads pending signals; true once any has arrived (latched).
  bool Poll();
  bool raised() const { return raised_; }

 private:
  explicit InterruptFlag(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  bool raised_ = false;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_INTERRUPT_FLAG_H_
