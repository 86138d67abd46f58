// Test harness for end-to-end tests: the real ttyhub binary, real ptys as
// devices, real loopback TCP clients.
//
// Every wait takes a Deadline; nothing sleeps to let something happen. All
// descriptors are non-blocking and waited on with poll(2).
#ifndef TTYHUB_TESTS_INTEGRATION_HARNESS_H_
#define TTYHUB_TESTS_INTEGRATION_HARNESS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ttyhub::testing {

using Clock = std::chrono::steady_clock;

class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget) : end_(Clock::now() + budget) {}
  static Deadline Seconds(int s) { return Deadline(std::chrono::seconds(s)); }
  bool Expired() const { return Clock::now() >= end_; }
  // Milliseconds left, for poll(2); at least 0, at most `cap`.
  int PollMs(int cap = 100) const;

 private:
  Clock::time_point end_;
};

// A temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(absl::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// A pseudo-terminal pair. The test holds the master and plays the serial
// device; ttyhub opens the slave (directly or through a symlink).
class TestPty {
 public:
  TestPty();
  ~TestPty();
  int master() const { return master_; }
  const std::string& slave_path() const { return slave_path_; }
  // Points `link` at this pty's slave (atomically replacing an old link).
  void LinkAs(const std::string& link) const;
  // Closes the master: ttyhub's side sees a hang-up.
  void Close();

  bool WriteAll(absl::string_view data, Deadline deadline);
  // Appends up to `max` bytes that arrive before `deadline`; returns count.
  size_t ReadSome(std::string* out, size_t max, Deadline deadline);
  bool ReadExactly(std::string* out, size_t n, Deadline deadline);
  // Reads until `out` ends with `suffix` (or deadline).
  bool ReadUntil(std::string* out, absl::string_view suffix, Deadline deadline);

 private:
  int master_ = -1;
  std::string slave_path_;
};

class TcpClient {
 public:
  // Connects to 127.0.0.1:port. `rcvbuf` > 0 shrinks the receive buffer
  // before connecting (a small window makes a "stalled" client stall soon).
  static std::unique_ptr<TcpClient> Connect(uint16_t port, Deadline deadline, int rcvbuf = 0);
  ~TcpClient();
  int fd() const { return fd_; }

  bool SendAll(absl::string_view data, Deadline deadline);
  void ShutdownWrite();
  // Appends received bytes to *out until it holds `n` more, EOF, or deadline.
  // Returns true if all `n` arrived.
  bool ReadExactly(std::string* out, size_t n, Deadline deadline);
  bool ReadUntil(std::string* out, absl::string_view needle, Deadline deadline);
  // Reads (and keeps in *out) until the server closes; true if it did.
  bool ReadUntilClosed(std::string* out, Deadline deadline);
  bool closed() const { return closed_; }

 private:
  explicit TcpClient(int fd) : fd_(fd) {}
  // One poll+recv step: >0 bytes appended, 0 on EOF/error, -1 nothing yet.
  ssize_t ReadStep(std::string* out, size_t max, Deadline deadline);
  int fd_;
  bool closed_ = false;
};

// Returns `count` TCP ports free for 127.0.0.1 and the wildcard right now,
// from a range clear of the kernel's ephemeral ports.
std::vector<uint16_t> FreeTcpPorts(size_t count);

// The ttyhub binary the tests run: the one this build made, or the one named
// by the environment variable TTYHUB_TEST_BINARY (to show that a regression
// test fails on an older build).
std::string DaemonBinary();

// The daemon under test, run as a child process with stderr to a file.
class Daemon {
 public:
  explicit Daemon(const TempDir& dir) : dir_(dir) {}
  ~Daemon();

  // Writes `yaml` to ttyhub.yaml, starts `ttyhub -c`, waits for "ready:".
  // A native configuration without `lock_dir:` gets `lock_dir: DIR/locks`,
  // so tests never touch the machine's /run/lock.
  // Returns false (with the log in the failure message) if it exits first.
  bool Start(const std::string& yaml, std::vector<std::string> extra_args = {},
             Deadline deadline = Deadline::Seconds(30));
  // Sends `sig` and waits for exit. Returns the exit status (0..255), 128+N
  // if killed by signal N, or -1 if it did not exit before the deadline.
  int Stop(int sig, Deadline deadline);
  // Runs ttyhub with `args` to completion; returns exit status, output in *out.
  static int RunToCompletion(const std::vector<std::string>& args, std::string* out,
                             Deadline deadline);

  // Caps the daemon's RLIMIT_NOFILE, soft and hard (so it cannot raise it
  // again), at `limit` descriptors from the next Start() on; applied in the
  // child before exec. 0 (the default) inherits the test's limit.
  void set_file_limit(rlim_t limit) { file_limit_ = limit; }

  pid_t pid() const { return pid_; }
  std::string Log() const;
  // Waits until the log contains `needle` (counted from `from` bytes in).
  bool WaitForLog(absl::string_view needle, Deadline deadline, size_t from = 0) const;
  // Names of the process's threads (/proc/PID/task/*/comm).
  std::vector<std::string> ThreadNames() const;

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
  rlim_t file_limit_ = 0;  // descriptors; 0 = inherit
};

// Writes `data` into the device (the pty's master) while every reader
// reads, until each reader holds all of it (true) or the deadline passes.
// `got` gets one string per reader. Readers take at most `max_read` bytes
// per wake-up (small values model slow readers). Other sockets are left
// alone, so a stalled client elsewhere stays stalled.
bool StreamToReaders(TestPty& pty, const std::vector<TcpClient*>& readers, const std::string& data,
                     std::vector<std::string>* got, Deadline deadline, size_t max_read = 1 << 20);

// The counter pattern: byte k of the stream is byte (k % 4) of the
// little-endian 32-bit value k / 4, XORed with a per-stream seed byte.
// Any loss, duplication, reordering or corruption breaks it.
std::string Pattern(uint64_t offset, size_t n, uint8_t seed = 0);
// What a telnet server sent, as the data it carries: commands (IAC verb
// option, IAC SB ... IAC SE, other IAC x) are dropped, IAC IAC is 0xFF
// and CR NUL is CR.
std::string TelnetData(const std::string& wire);
// If `got` is exactly stream[0, a) + stream[b, end) for end = `total`, sets
// *skipped = b - a and returns true. (b == a means nothing was skipped.)
bool MatchesWithOneGap(const std::string& got, uint64_t total, uint8_t seed, uint64_t* skipped);

// Runs `program` (a path, or a name looked up in PATH) with `args` to
// completion, feeding it `input` on stdin. Returns its exit status (128+N if
// killed by signal N, -1 on timeout); stdout and stderr go to *out.
int RunProgram(const std::string& program, const std::vector<std::string>& args,
               const std::string& input, std::string* out, Deadline deadline);

// Raises RLIMIT_NOFILE to its hard limit (tests with hundreds of ports).
void RaiseFileLimit();

}  // namespace ttyhub::testing

#endif  // TTYHUB_TESTS_INTEGRATION_HARNESS_H_
