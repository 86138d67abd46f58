// See echo_device.h.
#include "tools/bench/echo_device.h"

#include <unistd.h>

#include <cerrno>

namespace ttyhub::bench {

EchoDevice::EchoDevice(EventLoop& loop, int master_fd, uint64_t seed)
    : loop_(loop), fd_(master_fd), verifier_(seed, StreamVerifier::Start::kAtZero) {}

EchoDevice::~EchoDevice() {
  if (registered_) loop_.Remove(fd_, this);
}

absl::Status EchoDevice::Start() {
  if (absl::Status s = loop_.Add(fd_, this); !s.ok()) return s;
  registered_ = true;
  loop_.Kick(this, EPOLLIN);
  return absl::OkStatus();
}

bool EchoDevice::Flush() {
  size_t done = 0;
  while (done < queued_.size()) {
    const ssize_t n = write(fd_, queued_.data() + done, queued_.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // EPOLLOUT resumes
    error_ = n == 0 ? EIO : errno;
    return false;
  }
  queued_.erase(0, done);
  return true;
}

bool EchoDevice::OnIoEvents(uint32_t) {
  if (error_ != 0 || !Flush()) return false;
  uint8_t* buffer = loop_.scratch();
  for (int i = 0; i < 8; ++i) {
    const ssize_t n = read(fd_, buffer, EventLoop::kScratchBytes);
    if (n > 0) {
      verifier_.Feed(buffer, static_cast<size_t>(n));
      queued_.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
      if (!Flush()) return false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    error_ = n == 0 ? EIO : errno;
    return false;
  }
  return true;
}

}  // namespace ttyhub::bench
