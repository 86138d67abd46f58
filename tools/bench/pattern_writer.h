// Writes a pattern stream (pattern.h) to a non-blocking fd as fast as the fd
// takes it, up to an allowance: unlimited for throughput runs, or raised by
// the scenario to pace a stream. Used for the device side (pty master) and
// for TCP clients. Belongs to the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_PATTERN_WRITER_H_
#define TTYHUB_TOOLS_BENCH_PATTERN_WRITER_H_

#include <cstdint>
#include <limits>
#include <memory>

#include "tools/bench/event_loop.h"

namespace ttyhub::bench {

class PatternWriter : public IoHandler {
 public:
  static constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

  // Does not own `fd`. `is_socket` selects send(MSG_NOSIGNAL) over write.
  // `chunk_bytes`: the most handed to one write call.
  // `start_offset`: the stream offset of the first byte written (a stream
  // carried on by a new fd, e.g. a device that came back after a hang-up).
  PatternWriter(EventLoop& loop, int fd, bool is_socket, uint64_t seed,
                size_t chunk_bytes = 64 * 1024, uint64_t start_offset = 0);
  ~PatternWriter() override;

  // Registers with the loop; writing starts within the allowance.
  absl::Status Start();
  // Lets the stream run to offset `limit` (kUnlimited: no limit).
  void AllowUpTo(uint64_t limit);
  // Raises the allowance by `bytes` (for pacing).
  void AllowMore(uint64_t bytes) { AllowUpTo(limit_ == kUnlimited ? kUnlimited : limit_ + bytes); }
  // Stops writing: the stream ends at what was written so far.
  void Stop() { limit_ = written_; }

  // The stream offset reached: start_offset plus the bytes written.
  uint64_t written() const { return written_; }
  uint64_t limit() const { return limit_; }
  uint64_t seed() const { return seed_; }
  // errno of a failed write (EPIPE, ECONNRESET, EIO...), 0 if none.
  int error() const { return error_; }

  bool OnIoEvents(uint32_t events) override;

 private:
  EventLoop& loop_;
  int fd_;
  bool is_socket_;
  uint64_t seed_;
  size_t chunk_bytes_;
  uint64_t written_ = 0;
  uint64_t limit_ = 0;
  int error_ = 0;
  bool registered_ = false;
  // Pattern bytes [buffer_offset_, buffer_offset_ + buffer_len_) of the stream.
  std::unique_ptr<uint8_t[]> buffer_;
  uint64_t buffer_offset_ = 0;
  size_t buffer_len_ = 0;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PATTERN_WRITER_H_
