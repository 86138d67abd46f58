// See threaded_reader.h.
#include "tools/bench/threaded_reader.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace ttyhub::bench {
namespace {

constexpr size_t kReadBytes = 256 * 1024;
constexpr int kPollMs = 50;  // how soon Join() is noticed while idle

}  // namespace

ThreadedReader::ThreadedReader(int fd, uint64_t seed)
    : fd_(fd), verifier_(seed, StreamVerifier::Start::kAtZero), thread_([this] { Run(); }) {}

void ThreadedReader::Join() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ThreadedReader::Run() {
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[kReadBytes]);
  while (!stop_.load(std::memory_order_relaxed)) {
    const ssize_t n = read(fd_, buffer.get(), kReadBytes);
    if (n > 0) {
      verifier_.Feed(buffer.get(), static_cast<size_t>(n));
      received_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      position_.store(verifier_.position(), std::memory_order_relaxed);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd_, POLLIN, 0};
      poll(&pfd, 1, kPollMs);
      continue;
    }
    broken_.store(true);
    return;
  }
}

}  // namespace ttyhub::bench
