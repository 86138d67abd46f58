// The tool's epoll loop: every benchmark endpoint (pty master, TCP client)
// is a non-blocking fd registered edge-triggered with an IoHandler.
//
// A handler does a bounded amount of work per call (so that one busy fd
// cannot starve the others) and asks to be called again by returning true;
// such handlers are kept on a ready list and run without waiting. The loop
// also watches for SIGINT/SIGTERM (a signalfd) and for the exit of the server
// under test (a pidfd), so that no wait outlives either. The loop and every
// handler belong to the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_EVENT_LOOP_H_
#define TTYHUB_TOOLS_BENCH_EVENT_LOOP_H_

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/deadline.h"
#include "tools/bench/interrupt_flag.h"
#include "tools/bench/unique_fd.h"

namespace ttyhub::bench {

class EventLoop;

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  // `events` holds EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP/EPOLLRDHUP bits.
  // Returns true if it stopped with work left and wants another call soon.
  virtual bool OnIoEvents(uint32_t events) = 0;

 private:
  friend class EventLoop;
  bool queued_ = false;
  uint32_t queued_events_ = 0;
};

enum class LoopExit { kDone, kDeadline, kInterrupted, kServerExited };

class EventLoop {
 public:
  // Size of the shared receive buffer handlers read into, in bytes.
  static constexpr size_t kScratchBytes = 256 * 1024;

  // `interrupt`: SIGINT/SIGTERM; outlives the loop.
  static absl::StatusOr<std::unique_ptr<EventLoop>> Create(InterruptFlag& interrupt);

  // Registers `fd` edge-triggered for input and output readiness.
  absl::Status Add(int fd, IoHandler* handler);
  // Unregisters `fd` and forgets `handler`'s pending calls. Call before
  // closing the fd or destroying the handler.
  void Remove(int fd, IoHandler* handler);
  // Queues a call to `handler` with `events`, as if the fd had reported them.
  void Kick(IoHandler* handler, uint32_t events);

  // Watches a process: once it exits, RunUntil returns kServerExited.
  // `pidfd` < 0 stops watching.
  void WatchProcess(int pidfd);

  // Runs until `done()` is true, the deadline passes, an interrupt arrives or
  // the watched process exits. `on_tick`, if set, runs at least every
  // `tick_ms` (and before `done` is checked).
  LoopExit RunUntil(const std::function<bool()>& done, const Deadline& deadline,
                    const std::function<void()>& on_tick = nullptr, int tick_ms = 100);

  bool interrupted() const { return interrupt_.raised(); }
  bool process_exited() const { return process_exited_; }
  uint8_t* scratch() { return scratch_.get(); }

 private:
  EventLoop(UniqueFd epoll, InterruptFlag& interrupt);
  // One epoll_wait (or none if handlers are ready) and the calls it causes.
  void Step(int timeout_ms);
  void Dispatch(IoHandler* handler, uint32_t events);

  UniqueFd epoll_;
  InterruptFlag& interrupt_;
  int pidfd_ = -1;
  bool process_exited_ = false;
  std::vector<IoHandler*> ready_;
  std::unique_ptr<uint8_t[]> scratch_;
};

// Human name of a LoopExit, e.g. "deadline".
const char* LoopExitName(LoopExit e);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_EVENT_LOOP_H_
