// A pattern reader on its own thread, for the `limits` scenario: a raw pty
// or socket measured with no server has its writer and its reader in
// parallel, as they are when a server sits in between (the device side and
// the server are different processes). Verifies every byte like
// PatternReader.
//
// Threads: the reading thread owns the fd's reads and the verifier until
// Join(); the tool's main thread reads the atomic counters meanwhile and
// the verifier after Join().
#ifndef TTYHUB_TOOLS_BENCH_THREADED_READER_H_
#define TTYHUB_TOOLS_BENCH_THREADED_READER_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "tools/bench/stream_verifier.h"

namespace ttyhub::bench {

class ThreadedReader {
 public:
  // Does not own `fd` (non-blocking). Starts reading at once.
  ThreadedReader(int fd, uint64_t seed);
  ~ThreadedReader() { Join(); }
  ThreadedReader(const ThreadedReader&) = delete;
  ThreadedReader& operator=(const ThreadedReader&) = delete;

  uint64_t received() const { return received_.load(std::memory_order_relaxed); }
  uint64_t position() const { return position_.load(std::memory_order_relaxed); }
  // The read failed or hit EOF.
  bool broken() const { return broken_.load(std::memory_order_relaxed); }
  // Stops the thread (within 50 ms) and waits for it.
  void Join();
  // Valid after Join().
  const StreamVerifier& verifier() const { return verifier_; }

 private:
  void Run();

  int fd_;
  StreamVerifier verifier_;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> position_{0};
  std::atomic<bool> broken_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_THREADED_READER_H_
