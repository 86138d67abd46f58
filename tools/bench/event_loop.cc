// See event_loop.h.
#include "tools/bench/event_loop.h"

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"

namespace ttyhub::bench {
namespace {

// epoll_data tags for the loop's own fds (handlers are pointers, never 1 or 2).
constexpr uint64_t kInterruptTag = 1;
constexpr uint64_t kProcessTag = 2;
constexpr int kMaxEvents = 512;

}  // namespace

const char* LoopExitName(LoopExit e) {
  switch (e) {
    case LoopExit::kDone:
      return "done";
    case LoopExit::kDeadline:
      return "deadline";
    case LoopExit::kInterrupted:
      return "interrupted";
    case LoopExit::kServerExited:
      return "server exited";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create(InterruptFlag& interrupt) {
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return absl::ErrnoToStatus(errno, "epoll_create1");
  std::unique_ptr<EventLoop> loop(new EventLoop(std::move(epoll), interrupt));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kInterruptTag;
  if (epoll_ctl(loop->epoll_.get(), EPOLL_CTL_ADD, interrupt.fd(), &ev) != 0) {
    return absl::ErrnoToStatus(errno, "epoll_ctl(signalfd)");
  }
  return loop;
}

EventLoop::EventLoop(UniqueFd epoll, InterruptFlag& interrupt)
    : epoll_(std::move(epoll)), interrupt_(interrupt), scratch_(new uint8_t[kScratchBytes]) {}

absl::Status EventLoop::Add(int fd, IoHandler* handler) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = handler;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return absl::ErrnoToStatus(errno, "epoll_ctl(ADD)");
  }
  return absl::OkStatus();
}

void EventLoop::Remove(int fd, IoHandler* handler) {
  if (fd >= 0) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  if (handler != nullptr && handler->queued_) {
    ready_.erase(std::remove(ready_.begin(), ready_.end(), handler), ready_.end());
    handler->queued_ = false;
    handler->queued_events_ = 0;
  }
}

void EventLoop::Kick(IoHandler* handler, uint32_t events) {
  handler->queued_events_ |= events;
  if (!handler->queued_) {
    handler->queued_ = true;
    ready_.push_back(handler);
  }
}

void EventLoop::WatchProcess(int pidfd) {
  if (pidfd_ >= 0) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, pidfd_, nullptr);
  pidfd_ = pidfd;
  process_exited_ = false;
  if (pidfd < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kProcessTag;
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, pidfd, &ev);
}

void EventLoop::Dispatch(IoHandler* handler, uint32_t events) {
  if (handler->OnIoEvents(events)) Kick(handler, EPOLLIN | EPOLLOUT);
}

void EventLoop::Step(int timeout_ms) {
  // Handlers that asked for more run first; their calls can queue others.
  if (!ready_.empty()) {
    std::vector<IoHandler*> batch;
    batch.swap(ready_);
    for (IoHandler* h : batch) {
      const uint32_t events = h->queued_events_;
      h->queued_ = false;
      h->queued_events_ = 0;
      Dispatch(h, events);
    }
    timeout_ms = 0;
  }
  epoll_event events[kMaxEvents];
  const int n = epoll_wait(epoll_.get(), events, kMaxEvents, ready_.empty() ? timeout_ms : 0);
  for (int i = 0; i < n; ++i) {
    const uint64_t tag = events[i].data.u64;
    if (tag == kInterruptTag) {
      interrupt_.Poll();
      continue;
    }
    if (tag == kProcessTag) {
      process_exited_ = true;
      continue;
    }
    IoHandler* h = static_cast<IoHandler*>(events[i].data.ptr);
    if (h->queued_) {
      h->queued_events_ |= events[i].events;  // it runs from the ready list
      continue;
    }
    Dispatch(h, events[i].events);
  }
}

LoopExit EventLoop::RunUntil(const std::function<bool()>& done, const Deadline& deadline,
                             const std::function<void()>& on_tick, int tick_ms) {
  Clock::time_point next_tick = Clock::now();
  for (;;) {
    if (on_tick && Clock::now() >= next_tick) {
      on_tick();
      next_tick = Clock::now() + std::chrono::milliseconds(tick_ms);
    }
    if (done()) return LoopExit::kDone;
    if (interrupt_.raised()) return LoopExit::kInterrupted;
    if (process_exited_) return LoopExit::kServerExited;
    if (deadline.Expired()) return LoopExit::kDeadline;
    int wait_ms = deadline.WaitMs(tick_ms);
    if (on_tick) {
      const auto to_tick =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now()).count();
      wait_ms = std::clamp<int>(static_cast<int>(to_tick) + 1, 0, wait_ms);
    }
    Step(wait_ms);
  }
}

}  // namespace ttyhub::bench
