// Reads a pattern stream from a non-blocking fd (a TCP client socket, or the
// pty master for data the server writes to the device) and verifies every
// byte (stream_verifier.h). Can be paused to play a client that stops
// reading, and can count bytes into time buckets. Belongs to the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_PATTERN_READER_H_
#define TTYHUB_TOOLS_BENCH_PATTERN_READER_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "tools/bench/bucket_series.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/stream_verifier.h"

namespace ttyhub::bench {

// Turns what a reader receives into the stream it verifies, in place: e.g.
// takes telnet commands out. Returns how many bytes of data[0, n) remain
// (moved to the front).
class ByteFilter {
 public:
  virtual ~ByteFilter() = default;
  virtual size_t Filter(uint8_t* data, size_t n) = 0;
};

class PatternReader : public IoHandler {
 public:
  // Does not own `fd`.
  PatternReader(EventLoop& loop, int fd, bool is_socket, uint64_t seed,
                StreamVerifier::Start start);
  ~PatternReader() override;

  absl::Status Start();
  // Stops reading (the socket's buffer fills and the sender must wait);
  // Resume reads again.
  void Pause() { paused_ = true; }
  void Resume();
  // Stops for good and unregisters the fd (call before closing it); the
  // verification stays readable.
  void Stop();
  // Counts received bytes into `series` from now on (not owned; may be null).
  void RecordInto(BucketSeries* series) { series_ = series; }
  // Passes every read through `filter` (not owned; may be null) before the
  // verifier, the series and first_byte_at see it.
  void SetFilter(ByteFilter* filter) { filter_ = filter; }
  bool paused() const { return paused_; }

  const StreamVerifier& verifier() const { return verifier_; }
  uint64_t received() const { return verifier_.counts().received_bytes; }
  // The next stream offset expected (see StreamVerifier::position).
  uint64_t position() const { return verifier_.position(); }
  std::optional<Clock::time_point> first_byte_at() const { return first_byte_at_; }
  // The peer closed (EOF) or the read failed.
  bool closed() const { return closed_; }
  int error() const { return error_; }

  bool OnIoEvents(uint32_t events) override;

 private:
  EventLoop& loop_;
  int fd_;
  bool is_socket_;
  StreamVerifier verifier_;
  bool paused_ = false;
  bool registered_ = false;
  bool closed_ = false;
  int error_ = 0;
  BucketSeries* series_ = nullptr;
  ByteFilter* filter_ = nullptr;
  std::optional<Clock::time_point> first_byte_at_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PATTERN_READER_H_
