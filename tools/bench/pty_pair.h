// A pseudo-terminal pair that stands in for a serial device. The tool plays
// the device on the master; the server under test opens the slave by path.
//
// Both ends are put in raw mode before the server opens anything, so the
// line discipline neither echoes nor translates bytes. The pair keeps its
// own slave fd open: a server that closes the device between clients (as
// ser2net does) then leaves no hang-up on the master. Owned by the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_PTY_PAIR_H_
#define TTYHUB_TOOLS_BENCH_PTY_PAIR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

class PtyPair {
 public:
  static absl::StatusOr<std::unique_ptr<PtyPair>> Create();

  // Non-blocking master: the device side.
  int master() const { return master_.get(); }
  // The slave's own non-blocking fd (used by the limits scenario; the
  // server opens slave_path() itself).
  int slave() const { return slave_.get(); }
  // /dev/pts/N.
  const std::string& slave_path() const { return slave_path_; }

 private:
  PtyPair(UniqueFd master, UniqueFd slave, std::string path)
      : master_(std::move(master)), slave_(std::move(slave)), slave_path_(std::move(path)) {}
  UniqueFd master_;
  UniqueFd slave_;
  std::string slave_path_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PTY_PAIR_H_
