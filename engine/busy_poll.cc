// Busy-poll budget accounting. See busy_poll.h.
#include "engine/busy_poll.h"

#include <algorithm>

namespace ttyhub {

void BusyPoll::Roll(Clock::time_point now) {
  if (period_start_ != Clock::time_point{} && now - period_start_ < kPeriod) return;
  period_start_ = now;
  spent_ = std::chrono::nanoseconds(0);
  exhausted_counted_ = false;
}

BusyPoll::Clock::time_point BusyPoll::PollUntil(Clock::time_point last_activity,
                                                Clock::time_point now) {
  Roll(now);
  const Clock::time_point window_end = last_activity + policy_.window;
  if (window_end <= now) return now;
  const std::chrono::nanoseconds left = Budget() - spent_;
  if (left <= std::chrono::nanoseconds(0)) {
    if (!exhausted_counted_) {
      exhausted_counted_ = true;
      ++counters_.budget_exhausted;
    }
    return now;
  }
  // A grant never reaches into the next period, so each period's spending
  // is charged to that period.
  return std::min({window_end, now + left, period_start_ + kPeriod});
}

void BusyPoll::Charge(Clock::time_point start, Clock::time_point end, bool found) {
  const std::chrono::nanoseconds polled = std::max(end - start, Clock::duration(0));
  spent_ += polled;
  counters_.polled_ns += static_cast<uint64_t>(polled.count());
  if (found) ++counters_.waits_saved;
}

}  // namespace ttyhub
