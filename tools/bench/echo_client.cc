// See echo_client.h.
#include "tools/bench/echo_client.h"

#include <unistd.h>

#include <cerrno>

#include "tools/bench/pattern.h"

namespace ttyhub::bench {

EchoClient::EchoClient(EventLoop& loop, int fd, uint64_t seed, size_t message_bytes)
    : loop_(loop),
      fd_(fd),
      seed_(seed),
      message_bytes_(message_bytes),
      verifier_(seed, StreamVerifier::Start::kAtZero),
      outgoing_(message_bytes) {}

EchoClient::~EchoClient() {
  if (registered_) loop_.Remove(fd_, this);
}

absl::Status EchoClient::Start() {
  if (absl::Status s = loop_.Add(fd_, this); !s.ok()) return s;
  registered_ = true;
  return absl::OkStatus();
}

void EchoClient::SendMessages(uint64_t count) {
  requested_ += count;
  if (!in_flight_) SendNext();
}

void EchoClient::SendNext() {
  if (completed_ >= requested_ || closed_ || error_ != 0) return;
  FillPattern(seed_, completed_ * message_bytes_, outgoing_.data(), message_bytes_);
  outgoing_done_ = 0;
  in_flight_ = true;
  sent_at_ = Clock::now();
  FlushSend();
}

bool EchoClient::FlushSend() {
  while (outgoing_done_ < outgoing_.size()) {
    const ssize_t n =
        write(fd_, outgoing_.data() + outgoing_done_, outgoing_.size() - outgoing_done_);
    if (n > 0) {
      outgoing_done_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    error_ = errno;
    return false;
  }
  return true;
}

bool EchoClient::OnIoEvents(uint32_t) {
  if (closed_ || error_ != 0) return false;
  if (in_flight_ && outgoing_done_ < outgoing_.size() && !FlushSend()) return false;
  uint8_t* buffer = loop_.scratch();
  for (int i = 0; i < 8; ++i) {
    const ssize_t n = read(fd_, buffer, EventLoop::kScratchBytes);
    if (n > 0) {
      const Clock::time_point now = Clock::now();
      verifier_.Feed(buffer, static_cast<size_t>(n));
      if (in_flight_ && verifier_.position() >= (completed_ + 1) * message_bytes_) {
        rtt_ns_.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - sent_at_).count());
        ++completed_;
        in_flight_ = false;
        SendNext();
      }
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
