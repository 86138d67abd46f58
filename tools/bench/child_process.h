// Child processes: the server under test (long-running, watched through a
// pidfd, killed on every exit path) and short helper commands (version
// queries, gnuplot) run to completion with a deadline.
//
// Children get an empty signal mask, PR_SET_PDEATHSIG(SIGKILL) so that they
// never outlive the tool, and optionally a CPU affinity. Owned by the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_CHILD_PROCESS_H_
#define TTYHUB_TOOLS_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/deadline.h"
#include "tools/bench/interrupt_flag.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

class ChildProcess {
 public:
  // Starts argv[0] (a path, or a name looked up in PATH) with stdout and
  // stderr appended to `output_path`. `cpus`: CPUs to pin to (empty: all).
  // `working_dir`: where it starts (empty: the tool's).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                             const std::string& output_path,
                                                             const std::vector<int>& cpus = {},
                                                             const std::string& working_dir = "");
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Readable once the child has exited.
  int pidfd() const { return pidfd_.get(); }
  // Reaps the child if it has exited; true if it has.
  bool Exited();
  // "exited with status 1", "killed by signal 11 (Segmentation fault)".
  std::string ExitDescription() const;
  // Exit code, or 128 + signal; only after Exited().
  int exit_code() const { return exit_code_; }
  bool killed_by_signal() const { return signal_ != 0; }

  // Waits for the child to exit; false at the deadline or on an interrupt.
  bool WaitExit(const Deadline& deadline, InterruptFlag* interrupt);
  // Sends `sig`, waits until `deadline`, then SIGKILLs. Returns true if
  // the child exited on `sig` before the deadline.
  bool Stop(int sig, const Deadline& deadline);

 private:
  ChildProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  pid_t pid_;
  UniqueFd pidfd_;
  bool exited_ = false;
  int exit_code_ = -1;
  int signal_ = 0;
};

struct CommandResult {
  int exit_code = -1;  // -1: did not finish before the deadline (killed)
  std::string output;  // stdout and stderr
};
// Runs a helper command to completion in `working_dir` (empty: the tool's);
// output captured through a file in `scratch_dir`.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& scratch_dir, const Deadline& deadline,
                                         const std::string& working_dir = "");

// The contents of a file (the last `max_bytes` of it, if set).
std::string ReadFileTail(const std::string& path, size_t max_bytes = 0);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CHILD_PROCESS_H_
