// One port's device in the soak scenario: the port's pattern stream written
// to its pty master at a steady rate, and the device's hang-ups. A hang-up
// stops the stream, waits until the server has read what is in the pty
// (up to a bound, so that a lossless stream stays lossless), hangs the pty
// up (PortFixture::HangUpDevice), and after a while brings a new pty back
// at the same path, where the stream carries on from the same offset. The
// tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_DEVICE_H_
#define TTYHUB_TOOLS_BENCH_SOAK_DEVICE_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "tools/bench/pattern_writer.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/soak_counts.h"
#include "tools/bench/soak_event_log.h"

namespace ttyhub::bench {

class SoakDevice {
 public:
  // `rate_bytes_per_s`: the stream's pace.
  SoakDevice(PortFixture& fixture, size_t port, uint64_t seed, double rate_bytes_per_s,
             SoakEventLog& events);

  absl::Status Start();
  // Paces the stream and advances a hang-up in progress. Call every tick.
  void Tick(SoakCounts* counts);
  // Starts a hang-up; the device is away for `absent_s` once it has hung up.
  void BeginHangUp(double absent_s);

  bool streaming() const { return state_ == State::kStreaming; }
  // Streaming, and if it ever hung up, back for at least `seconds` (time
  // for the server to have reopened it: its reopen backoff tops out at 5 s).
  bool SettledFor(double seconds) const;
  // The stream offset written so far.
  uint64_t written() const { return writer_ ? writer_->written() : offset_; }
  uint64_t seed() const { return seed_; }

 private:
  enum class State { kStreaming, kDraining, kAbsent };
  // Bytes in the pty the server has not read yet (-1: unknown).
  int UnreadBytes() const;
  absl::Status StartWriter();

  PortFixture& fixture_;
  size_t port_;
  uint64_t seed_;
  double rate_;
  SoakEventLog& events_;
  State state_ = State::kStreaming;
  std::unique_ptr<PatternWriter> writer_;
  uint64_t offset_ = 0;  // where the stream carries on after a hang-up
  Clock::time_point last_pace_;
  std::optional<Clock::time_point> came_back_at_;  // the last return from a hang-up
  Clock::time_point state_deadline_;               // the drain bound, or the return
  double absent_s_ = 0;
  bool write_error_logged_ = false;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_DEVICE_H_
