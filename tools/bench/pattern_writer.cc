// See pattern_writer.h.
#include "tools/bench/pattern_writer.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "tools/bench/pattern.h"

namespace ttyhub::bench {
namespace {

constexpr int kWritesPerCall = 16;

}  // namespace

PatternWriter::PatternWriter(EventLoop& loop, int fd, bool is_socket, uint64_t seed,
                             size_t chunk_bytes, uint64_t start_offset)
    : loop_(loop),
      fd_(fd),
      is_socket_(is_socket),
      seed_(seed),
      chunk_bytes_(chunk_bytes),
      written_(start_offset),
      limit_(start_offset),
      buffer_(new uint8_t[chunk_bytes]) {}

PatternWriter::~PatternWriter() {
  if (registered_) loop_.Remove(fd_, this);
}

absl::Status PatternWriter::Start() {
  if (absl::Status s = loop_.Add(fd_, this); !s.ok()) return s;
  registered_ = true;
  loop_.Kick(this, EPOLLOUT);
  return absl::OkStatus();
}

void PatternWriter::AllowUpTo(uint64_t limit) {
  limit_ = limit;
  if (registered_ && written_ < limit_) loop_.Kick(this, EPOLLOUT);
}

bool PatternWriter::OnIoEvents(uint32_t) {
  for (int i = 0; i < kWritesPerCall; ++i) {
    if (error_ != 0 || written_ >= limit_) return false;
    // Refill the buffer when the next byte is outside it.
    if (written_ < buffer_offset_ || written_ >= buffer_offset_ + buffer_len_) {
      buffer_offset_ = written_;
      buffer_len_ = chunk_bytes_;
      FillPattern(seed_, buffer_offset_, buffer_.get(), buffer_len_);
    }
    const size_t in_buffer = static_cast<size_t>(buffer_offset_ + buffer_len_ - written_);
    const size_t len = static_cast<size_t>(std::min<uint64_t>(in_buffer, limit_ - written_));
    const uint8_t* data = buffer_.get() + (written_ - buffer_offset_);
    const ssize_t n =
        is_socket_ ? send(fd_, data, len, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd_, data, len);
    if (n > 0) {
      written_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;  // wait for EPOLLOUT
    error_ = n == 0 ? EIO : errno;
    return false;
  }
  return true;
}

}  // namespace ttyhub::bench
