// A byte buffer mapped twice back to back, so that any span of up to
// capacity() bytes starting anywhere in the first copy is contiguous in memory.
//
// This lets ring buffers hand one pointer and one length to read(2), recv(2)
// and io_uring sends even when the span wraps, which halves the syscalls and
// iovecs at the wrap point. Pages are allocated lazily by the kernel: an idle
// port's ring costs address space, not resident memory.
//
// Not thread-aware; owned by one Port on one worker.
#ifndef TTYHUB_ENGINE_MIRRORED_BUFFER_H_
#define TTYHUB_ENGINE_MIRRORED_BUFFER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"

namespace ttyhub {

class MirroredBuffer {
 public:
  // `capacity` must be a power of two and a multiple of the page size.
  static absl::StatusOr<MirroredBuffer> Create(size_t capacity);

  MirroredBuffer() = default;
  MirroredBuffer(MirroredBuffer&& other) noexcept;
  MirroredBuffer& operator=(MirroredBuffer&& other) noexcept;
  MirroredBuffer(const MirroredBuffer&) = delete;
  MirroredBuffer& operator=(const MirroredBuffer&) = delete;
  ~MirroredBuffer();

  // data()[i] and data()[i + capacity()] are the same byte, for i < capacity().
  uint8_t* data() const { return base_; }
  size_t capacity() const { return capacity_; }

  // Gives every page back to the kernel (MADV_REMOVE punches a hole in the
  // memfd, so both copies lose it): the contents become zeros, and the next
  // write to a page faults in a fresh one. For a buffer whose bytes nobody
  // needs any more. False if the kernel refused (the contents are then
  // unchanged). One syscall.
  bool ReleasePages();
  // Pages of the buffer now resident (mincore), for tests and diagnostics.
  size_t ResidentPages() const;

 private:
  MirroredBuffer(uint8_t* base, size_t capacity) : base_(base), capacity_(capacity) {}
  void Release();

  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_MIRRORED_BUFFER_H_
