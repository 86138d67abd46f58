// An owned file descriptor, closed on destruction. Move-only.
//
// Used by the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_UNIQUE_FD_H_
#define TTYHUB_TOOLS_BENCH_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace ttyhub::bench {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_UNIQUE_FD_H_
