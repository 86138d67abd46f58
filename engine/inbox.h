// Inbox: a bounded multi-producer queue of control messages for one worker,
// with an eventfd that wakes the worker's io_uring loop.
//
// Control traffic only (stop, stats snapshots, admin commands): the data path
// never goes through here, so a mutex is fine. Post() may be called from any
// thread; Drain() only from the owning worker.
#ifndef TTYHUB_ENGINE_INBOX_H_
#define TTYHUB_ENGINE_INBOX_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"

namespace ttyhub {

class Inbox {
 public:
  using Message = absl::AnyInvocable<void() &&>;

  static absl::StatusOr<std::unique_ptr<Inbox>> Create(size_t capacity);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Queues `m` and wakes the worker. Returns false, dropping nothing already
  // queued, if the inbox holds `capacity` messages.
  bool Post(Message m);

  // Runs every queued message, in order, on the calling (owning) thread.
  // Adds one to *counter just before running each (so a stats message
  // counts itself).
  void Drain(uint64_t* counter);

  // Readable (8-byte counter) whenever messages were posted since the last
  // Drain(); the worker keeps a poll on it.
  int wake_fd() const { return wake_fd_; }

 private:
  Inbox(int fd, size_t capacity) : wake_fd_(fd), capacity_(capacity) {}

  const int wake_fd_;
  const size_t capacity_;
  std::mutex mu_;
  std::deque<Message> queue_;  // guarded by mu_
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_INBOX_H_
