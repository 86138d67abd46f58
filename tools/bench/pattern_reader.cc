// See pattern_reader.h.
#include "tools/bench/pattern_reader.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace ttyhub::bench {
namespace {

constexpr int kReadsPerCall = 8;

}  // namespace

PatternReader::PatternReader(EventLoop& loop, int fd, bool is_socket, uint64_t seed,
                             StreamVerifier::Start start)
    : loop_(loop), fd_(fd), is_socket_(is_socket), verifier_(seed, start) {}

PatternReader::~PatternReader() {
  if (registered_) loop_.Remove(fd_, this);
}

absl::Status PatternReader::Start() {
  if (absl::Status s = loop_.Add(fd_, this); !s.ok()) return s;
  registered_ = true;
  loop_.Kick(this, EPOLLIN);
  return absl::OkStatus();
}

void PatternReader::Resume() {
  paused_ = false;
  if (registered_) loop_.Kick(this, EPOLLIN);
}

void PatternReader::Stop() {
  paused_ = true;
  if (registered_) loop_.Remove(fd_, this);
  registered_ = false;
}

bool PatternReader::OnIoEvents(uint32_t) {
  if (paused_ || closed_) return false;
  uint8_t* buffer = loop_.scratch();
  for (int i = 0; i < kReadsPerCall; ++i) {
    ssize_t n = is_socket_ ? recv(fd_, buffer, EventLoop::kScratchBytes, MSG_DONTWAIT)
                           : read(fd_, buffer, EventLoop::kScratchBytes);
    if (n > 0 && filter_ != nullptr) {
      const size_t kept = filter_->Filter(buffer, static_cast<size_t>(n));
      if (kept == 0) continue;
      n = static_cast<ssize_t>(kept);
    }
    if (n > 0) {
      const Clock::time_point now = Clock::now();
      if (!first_byte_at_) first_byte_at_ = now;
      if (series_ != nullptr) series_->Add(now, static_cast<uint64_t>(n));
      verifier_.Feed(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    closed_ = true;
    error_ = n == 0 ? 0 : errno;
    return false;
  }
  return true;
}

}  // namespace ttyhub::bench
