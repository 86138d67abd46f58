// BusyPoll: when a worker may poll its ring instead of sleeping, and for how
// long (issue 14, `latency: low`).
//
// An echo through ttyhub waits twice: for the client's bytes and for the
// device's answer. Sleeping in io_uring_enter for each costs a context
// switch and, on an idle CPU, a wake-up from an idle state; on the 2-vCPU
// test machine that was most of an echo's time. A worker with a
// `latency: low` port instead keeps asking the kernel for completions
// (io_uring_enter with GETEVENTS, which also runs deferred task work) for
// up to `window` after the last completion, as Seastar's poll mode and NAPI
// busy polling do, and only then sleeps. Between polls it yields the CPU
// to any other runnable task, so polling never starves the program (or
// the kernel's tty worker) whose answer it waits for.
//
// The CPU this costs is bounded by a budget: at most `budget_percent` of
// each one-second period may be spent polling. Once that is spent the
// worker sleeps as it always did until the next period begins, so a port
// that is busy all the time cannot make its worker spin all the time unless
// the operator allowed 100 %.
//
// Pure accounting on the worker's own clock readings: no I/O, no threads;
// owned by one EventLoop and used only on its worker thread.
#ifndef TTYHUB_ENGINE_BUSY_POLL_H_
#define TTYHUB_ENGINE_BUSY_POLL_H_

#include <chrono>
#include <cstdint>

#include "config/config.h"

namespace ttyhub {

class BusyPoll {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::nanoseconds kPeriod = std::chrono::seconds(1);

  struct Counters {
    uint64_t polled_ns = 0;         // time spent polling, in nanoseconds
    uint64_t waits_saved = 0;       // polls that found a completion: a sleep avoided
    uint64_t budget_exhausted = 0;  // periods whose budget ran out
  };

  // `policy.window`: poll this long after the last completion;
  // `policy.budget_percent`: of each kPeriod, 1..100.
  explicit BusyPoll(BusyPollConfig policy) : policy_(policy) {}

  // The time until which the loop may poll, given the last completion at
  // `last_activity` and the clock `now`; <= now means "sleep now". Never
  // later than the window after the last activity, nor than what is left of
  // this period's budget.
  Clock::time_point PollUntil(Clock::time_point last_activity, Clock::time_point now);

  // Records one poll from `start` to `end` (both within one PollUntil
  // grant) and whether it found a completion.
  void Charge(Clock::time_point start, Clock::time_point end, bool found);

  const BusyPollConfig& policy() const { return policy_; }
  // A reload's new policy; the counters go on (they are exported as totals).
  void set_policy(BusyPollConfig policy) { policy_ = policy; }
  const Counters& counters() const { return counters_; }

 private:
  // Starts a new period if `now` is past the current one.
  void Roll(Clock::time_point now);
  std::chrono::nanoseconds Budget() const { return kPeriod * policy_.budget_percent / 100; }

  BusyPollConfig policy_;
  Counters counters_;
  Clock::time_point period_start_{};
  std::chrono::nanoseconds spent_{0};  // polled in the current period; <= Budget() + one poll
  bool exhausted_counted_ = false;     // this period's exhaustion was counted
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_BUSY_POLL_H_
