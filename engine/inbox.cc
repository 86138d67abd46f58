// Bounded control inbox with eventfd wake-up. See inbox.h.
#include "engine/inbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"

namespace ttyhub {

absl::StatusOr<std::unique_ptr<Inbox>> Inbox::Create(size_t capacity) {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "eventfd");
  return std::unique_ptr<Inbox>(new Inbox(fd, capacity));
}

Inbox::~Inbox() { close(wake_fd_); }

bool Inbox::Post(Message m) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(m));
  }
  const uint64_t one = 1;
  // EAGAIN only if the counter would overflow; the worker is awake anyway then.
  (void)!write(wake_fd_, &one, sizeof(one));
  return true;
}

void Inbox::Drain(uint64_t* counter) {
  uint64_t count;
  (void)!read(wake_fd_, &count, sizeof(count));
  std::deque<Message> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(queue_);
  }
  for (Message& m : batch) {
    ++*counter;
    std::move(m)();
  }
}

}  // namespace ttyhub
