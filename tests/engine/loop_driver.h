// LoopDriver: runs a real EventLoop on the test's own thread, as a Worker
// would, for tests of engine objects without a worker thread.
//
// Each turn waits at most 5 ms (a timeout of its own keeps the wait
// bounded), calls `tick` every 100 ms as the worker's tick does, and reaps
// ports that finished clients. The driver is the loop's dispatch observer
// and forwards to hooks a test sets, so a test can act at an exact point in
// a batch of completions or rewrite a result. Test thread only.
#ifndef TTYHUB_TESTS_ENGINE_LOOP_DRIVER_H_
#define TTYHUB_TESTS_ENGINE_LOOP_DRIVER_H_

#include <linux/time_types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "engine/event_loop.h"
#include "engine/logger.h"
#include "engine/port.h"
#include "engine/worker_context.h"

namespace ttyhub {

class LoopDriver final : public EventLoop::DispatchObserver, public IoHandler {
 public:
  // Creates the loop and fills `ctx` (loop, log, tty, clock). False if
  // io_uring is unavailable.
  bool Init(WorkerContext& ctx, Logger& log, TtyControl* tty) {
    auto loop = EventLoop::Create(256);
    if (!loop.ok()) return false;
    loop_ = *std::move(loop);
    loop_->set_dispatch_observer(this);
    ctx_ = &ctx;
    ctx.loop = loop_.get();
    ctx.log = &log;
    ctx.tty = tty;
    ctx.now = Clock::now();
    return true;
  }

  // Runs turns until `done` or `budget`; false on timeout or loop error.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds budget) {
    const auto end = Clock::now() + budget;
    while (!done()) {
      if (Clock::now() >= end) return false;
      if (!Turn()) return false;
    }
    return true;
  }
  // Runs turns for `span`, whatever happens.
  void RunFor(std::chrono::milliseconds span) {
    RunUntil([] { return false; }, span);
  }

  std::function<void()> tick;
  std::function<void(IoRequest&, int32_t*)> before_dispatch;
  std::function<bool(IoRequest&)> deliver;  // false: the completion is lost
  std::function<void(IoRequest&, int32_t)> after_dispatch;

  // Destroy before the objects whose operations may still be in flight go.
  void Shutdown() { loop_.reset(); }

  void BeforeDispatch(IoRequest& req, int32_t* res) override {
    if (before_dispatch) before_dispatch(req, res);
  }
  bool Deliver(IoRequest& req) override { return !deliver || deliver(req); }
  void AfterDispatch(IoRequest& req, int32_t res) override {
    if (after_dispatch) after_dispatch(req, res);
  }
  void OnIoComplete(IoRequest&, int32_t, uint32_t) override {}

 private:
  bool Turn() {
    if (!timer_.in_flight) {
      timer_ts_.tv_sec = 0;
      timer_ts_.tv_nsec = 5'000'000;  // 5 ms: bounds each wait
      io_uring_prep_timeout(loop_->Prepare(timer_), &timer_ts_, 0, 0);
    }
    if (!loop_->RunOnce(&ctx_->now).ok()) return false;
    ctx_->now = Clock::now();
    if (ctx_->now - last_tick_ >= std::chrono::milliseconds(100)) {
      last_tick_ = ctx_->now;
      if (tick) tick();
    }
    std::vector<Port*> reap;
    reap.swap(ctx_->ports_to_reap);
    for (Port* p : reap) p->ReapClosed();
    return true;
  }

  std::unique_ptr<EventLoop> loop_;
  WorkerContext* ctx_ = nullptr;
  IoRequest timer_{this, 0};
  __kernel_timespec timer_ts_{};
  TimePoint last_tick_{};
};

}  // namespace ttyhub

#endif  // TTYHUB_TESTS_ENGINE_LOOP_DRIVER_H_
