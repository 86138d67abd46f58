// Time for ttyhub-bench: the monotonic clock, deadlines, and conversions.
//
// Every wait in the tool is bounded by a Deadline; nothing sleeps to "let
// something happen". Used by the tool's single thread only.
#ifndef TTYHUB_TOOLS_BENCH_DEADLINE_H_
#define TTYHUB_TOOLS_BENCH_DEADLINE_H_

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace ttyhub::bench {

using Clock = std::chrono::steady_clock;
using Duration = Clock::duration;

// Seconds (as a double) between two time points.
inline double SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

inline Duration SecondsToDuration(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

class Deadline {
 public:
  explicit Deadline(Duration budget) : end_(Clock::now() + budget) {}
  static Deadline AfterSeconds(double seconds) { return Deadline(SecondsToDuration(seconds)); }
  static Deadline At(Clock::time_point end) {
    Deadline d(Duration::zero());
    d.end_ = end;
    return d;
  }

  bool Expired() const { return Clock::now() >= end_; }
  Clock::time_point end() const { return end_; }
  // Milliseconds left for epoll_wait/poll: at least 0, at most `cap_ms`.
  int WaitMs(int cap_ms) const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end_ - Clock::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>(std::min<int64_t>(left + 1, cap_ms));
  }

 private:
  Clock::time_point end_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_DEADLINE_H_
