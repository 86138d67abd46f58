// ReadStamps: when the port's recent device reads ended, for the delivery
// latency histogram (`ttyhub_port_delivery_latency_seconds`).
//
// A fixed ring of the last kStamps reads, each (ring position its data
// ended at, time it completed): 8 x 16 bytes, which the Port allocates
// at its first device read (not an array growing with the reads). Eight
// covers a client up to eight reads behind one by one; issue 14 cut it from
// 32 (384 bytes less for every port that has carried data). A send that
// delivered ring positions [from, to) yields one latency per read that
// ended in that span. Reads older than the ring of stamps (a client more
// than kStamps reads behind) are not remembered one by one: they yield one
// observation, the time since the oldest stamp, which is a lower bound for
// all of them. So the histogram's count can be lower than reads x clients
// for lagging clients, and their tail is never hidden, only understated.
//
// Pure; owned by one Port, on its worker thread.
#ifndef TTYHUB_ENGINE_READ_STAMPS_H_
#define TTYHUB_ENGINE_READ_STAMPS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/worker_context.h"

namespace ttyhub {

class ReadStamps {
 public:
  static constexpr size_t kStamps = 8;

  // A device read just completed at `at`; its data ends at ring position `end`.
  void Stamp(uint64_t end, TimePoint at) { stamps_[count_++ % kStamps] = {end, at}; }

  // Calls `record(elapsed)` for each read whose data a send of ring
  // positions [from, to), completed at `now`, delivered (see above).
  template <typename Record>
  void ForEachDelivered(uint64_t from, uint64_t to, TimePoint now, Record&& record) const {
    if (count_ == 0 || to <= from) return;
    // Stamps are in ring order; walk back from the newest to the first read
    // that ended after `from`, then forward over those ending by `to`.
    const uint64_t oldest = count_ > kStamps ? count_ - kStamps : 0;
    uint64_t i = count_;
    while (i > oldest && stamps_[(i - 1) % kStamps].end > from) --i;
    // Reads before the oldest stamp that the span covers: one lower bound.
    if (i == oldest && oldest > 0 && stamps_[oldest % kStamps].end > from) {
      record(now - stamps_[oldest % kStamps].at);
      ++i;  // the oldest stamp's own read is covered by that observation
    }
    for (; i < count_; ++i) {
      const Entry& s = stamps_[i % kStamps];
      if (s.end > to) break;
      record(now - s.at);
    }
  }

 private:
  struct Entry {
    uint64_t end = 0;
    TimePoint at{};
  };
  std::array<Entry, kStamps> stamps_{};
  uint64_t count_ = 0;  // reads stamped so far; the newest is [count_ - 1 % kStamps]
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_READ_STAMPS_H_
