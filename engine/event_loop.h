// EventLoop: one io_uring instance and its completion dispatch.
//
// Created on, and used only by, the worker thread that owns it: the ring is
// set up with IORING_SETUP_SINGLE_ISSUER and DEFER_TASKRUN where the kernel
// has them (6.1 does), which requires creation on the submitting thread. On
// older kernels it falls back to fewer flags and says which in mode().
//
// Each iteration submits everything prepared since the last one, waits for at
// least one completion, copies out the ready completions and dispatches them
// to their IoHandlers. Handlers prepare new SQEs freely; they are submitted
// together at the next iteration (one io_uring_enter for the whole batch).
//
// With busy polling enabled (a `latency: low` port on this worker, see
// busy_poll.h), an iteration with nothing ready first polls for completions
// for up to the policy's window after the last one, within its CPU budget,
// and sleeps only if none came.
//
// If the submission queue fills, Prepare submits early. Should submitting
// keep failing (an error other than a transient EINTR/EAGAIN/EBUSY, or
// kMaxSubmitAttempts submits in a row that leave the queue full), the loop
// is broken: Prepare
// hands out a scratch SQE that is never submitted, and the next RunOnce
// returns the error, so the worker stops its ports with a log line instead
// of spinning forever.
#ifndef TTYHUB_ENGINE_EVENT_LOOP_H_
#define TTYHUB_ENGINE_EVENT_LOOP_H_

#include <liburing.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/busy_poll.h"
#include "engine/io_request.h"

namespace ttyhub {

class EventLoop {
 public:
  // A test seam: told after each completion is dispatched, so a test can act
  // at an exact point in a batch (close a client right after its POLLOUT
  // completed, say) instead of relying on timing. None in production.
  class DispatchObserver {
   public:
    // Before the handler runs: may rewrite the result (fault injection,
    // e.g. a short send).
    virtual void BeforeDispatch(IoRequest& /*req*/, int32_t* /*res*/) {}
    // False drops the completion as if the kernel had never delivered it
    // (fault injection: a lost wake-up); the request stays in flight and
    // neither its handler nor AfterDispatch runs.
    virtual bool Deliver(IoRequest& /*req*/) { return true; }
    virtual void AfterDispatch(IoRequest& req, int32_t res) = 0;

   protected:
    ~DispatchObserver() = default;
  };
  // io_uring_submit, or a stand-in for tests.
  using SubmitFunction = int (*)(io_uring*);

  struct Counters {
    uint64_t iterations = 0;   // RunOnce calls that returned
    uint64_t completions = 0;  // CQEs dispatched
    uint64_t sq_full = 0;      // times Prepare found the SQ full and had to submit early
    uint64_t cq_overflow = 0;  // RunOnce calls that left completions in the kernel's overflow list
  };

  // Must be called on the thread that will run the loop. Fails with
  // FailedPrecondition and an explanation when io_uring is unavailable
  // (kernel.io_uring_disabled, a seccomp profile such as Docker's default).
  static absl::StatusOr<std::unique_ptr<EventLoop>> Create(unsigned sq_entries);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // An SQE whose completion goes to `req`. Requires !req.in_flight; sets it.
  // Never returns null: if the SQ is full, pending SQEs are submitted first.
  io_uring_sqe* Prepare(IoRequest& req);

  // Asks the kernel to cancel `req` if it is in flight. The request still
  // completes (normally with -ECANCELED) and clears its in_flight then.
  void Cancel(IoRequest& req);

  // Submits, waits for at least one completion, stores the time the wait
  // ended in `*now` (before dispatch, so handlers see a fresh clock), then
  // dispatches all ready completions.
  absl::Status RunOnce(std::chrono::steady_clock::time_point* now);

  const Counters& counters() const { return counters_; }
  // Polls before sleeping while `enabled` (see busy_poll.h); off by default.
  void set_busy_poll(bool enabled, const BusyPollConfig& policy) {
    busy_poll_enabled_ = enabled;
    busy_poll_.set_policy(policy);
  }
  bool busy_poll_enabled() const { return busy_poll_enabled_; }
  const BusyPoll::Counters& busy_poll_counters() const { return busy_poll_.counters(); }
  void set_dispatch_observer(DispatchObserver* observer) { observer_ = observer; }
  void set_submit_for_testing(SubmitFunction submit) { submit_ = submit; }
  // Which setup flags the ring got, for the startup log.
  const std::string& mode() const { return mode_; }

 private:
  // Transient submit failures tolerated in a row while the SQ is full.
  static constexpr int kMaxSubmitAttempts = 1000;

  EventLoop() = default;
  io_uring_sqe* GetSqe();
  // Submits, then polls for a completion until the busy-poll grant ends.
  // True if one is ready (no need to sleep); sets `*err` if submitting failed.
  bool SubmitAndPoll(absl::Status* err);

  io_uring ring_{};
  bool initialized_ = false;
  std::string mode_;
  Counters counters_;
  SubmitFunction submit_ = &io_uring_submit;
  DispatchObserver* observer_ = nullptr;
  bool busy_poll_enabled_ = false;
  BusyPoll busy_poll_{BusyPollConfig{}};
  // When the last completion was dispatched: the busy-poll window runs from here.
  std::chrono::steady_clock::time_point last_activity_{};
  absl::Status broken_;                        // set once submitting failed for good
  std::unique_ptr<io_uring_sqe> scratch_sqe_;  // handed out once broken; never submitted
};

// Human-readable cause of an io_uring_queue_init failure.
std::string DescribeUringSetupError(int err);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_EVENT_LOOP_H_
