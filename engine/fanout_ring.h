// FanoutRing: one writer, any number of readers, each with its own cursor.
//
// Positions are 64-bit byte offsets since the ring was created; they never
// wrap (2^64 bytes is centuries at any serial speed). The ring holds the most
// recent capacity() bytes:
//
//     oldest() = max(0, head() + reserved - capacity())   first byte still held
//     head()                                              next byte to be written
//
// `reserved` is nonzero only while the kernel may be writing into the ring
// on its own time (an io_uring READ from the device, see Reserve): the
// bytes it may overwrite count as gone from the moment the read is armed,
// so no reader starts a span in them.
//
// Readers own their cursors (the ring does not track them). The writer asks
// for space above a `floor`: the lowest position any byte of which must stay
// intact (a lossless reader's cursor, or the start of a span an in-flight send
// still references). WritableSpan(floor) never returns space that would
// overwrite a byte at or above `floor`. A reader whose cursor fell below
// oldest() has been lapped; CatchUp() moves it to oldest() and says how many
// bytes it missed.
//
// Every span is contiguous (see MirroredBuffer), so one syscall moves it.
// Owned by one Port, used only on that port's worker thread.
#ifndef TTYHUB_ENGINE_FANOUT_RING_H_
#define TTYHUB_ENGINE_FANOUT_RING_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "engine/mirrored_buffer.h"

namespace ttyhub {

class FanoutRing {
 public:
  explicit FanoutRing(MirroredBuffer buffer) : buffer_(std::move(buffer)) {}

  uint64_t capacity() const { return buffer_.capacity(); }
  uint64_t head() const { return head_; }
  uint64_t oldest() const {
    const uint64_t end = head_ + reserved_;
    return end > capacity() ? end - capacity() : 0;
  }

  // Space the writer may fill without touching any byte at or above `floor`.
  // Requires oldest() <= floor <= head(). Size is capacity() - (head() - floor).
  std::span<uint8_t> WritableSpan(uint64_t floor) const {
    assert(reserved_ == 0 && floor <= head_ && floor >= oldest());
    const uint64_t used = head_ - floor;
    return {buffer_.data() + Offset(head_), static_cast<size_t>(capacity() - used)};
  }

  // Publishes `n` bytes written into the last WritableSpan (or the reserved
  // part of it), and ends any reservation.
  void Commit(size_t n) {
    assert(reserved_ == 0 || n <= reserved_);
    head_ += n;
    reserved_ = 0;
  }

  // Hands the first `n` bytes of WritableSpan(floor) to a writer that fills
  // them later (the kernel, for an io_uring READ): until Commit or
  // Unreserve, oldest() counts them as overwritten. Requires
  // n <= WritableSpan(floor).size() for the floor the caller holds, so no
  // byte at or above that floor is given away.
  void Reserve(size_t n) { reserved_ = n; }
  // The reserved write ended with nothing written (an error, a cancel).
  void Unreserve() { reserved_ = 0; }
  uint64_t reserved() const { return reserved_; }

  // Up to `max` bytes starting at `cursor`. Requires oldest() <= cursor <= head().
  std::span<const uint8_t> ReadableSpan(uint64_t cursor, size_t max) const {
    assert(cursor >= oldest() && cursor <= head_);
    uint64_t n = head_ - cursor;
    if (n > max) n = max;
    return {buffer_.data() + Offset(cursor), static_cast<size_t>(n)};
  }

  // Bytes a reader at `cursor` can still receive (after catching up).
  uint64_t Pending(uint64_t cursor) const {
    const uint64_t from = cursor < oldest() ? oldest() : cursor;
    return head_ - from;
  }

  // If the writer lapped `*cursor`, moves it to oldest() and returns the number
  // of bytes skipped; otherwise returns 0.
  uint64_t CatchUp(uint64_t* cursor) const {
    const uint64_t low = oldest();
    if (*cursor >= low) return 0;
    const uint64_t skipped = low - *cursor;
    *cursor = low;
    return skipped;
  }

  bool Lapped(uint64_t cursor) const { return cursor < oldest(); }

  // Gives the ring's memory back to the kernel; positions are unchanged and
  // the bytes below head() read as zeros afterwards, so only for a ring no
  // reader will read below head() (see MirroredBuffer::ReleasePages).
  bool ReleasePages() { return buffer_.ReleasePages(); }
  size_t ResidentPages() const { return buffer_.ResidentPages(); }

 private:
  size_t Offset(uint64_t position) const {
    return static_cast<size_t>(position & (capacity() - 1));
  }

  MirroredBuffer buffer_;
  uint64_t head_ = 0;
  uint64_t reserved_ = 0;  // bytes above head_ a pending kernel write may fill
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_FANOUT_RING_H_
