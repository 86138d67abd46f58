// Checks a received byte stream against the pattern (pattern.h), byte for
// byte, and classifies every departure from it.
//
// A verifier either expects the stream from offset 0, or lets the reader
// join anywhere (a TCP client that connects to a running port starts at the
// port's current position). After that, every byte must follow its
// predecessor. A departure is classified when the stream can be located
// again: a forward jump is loss (gap), a backward jump is duplication or
// reordering, and bytes that match no offset are corruption. Owned by the
// tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_STREAM_VERIFIER_H_
#define TTYHUB_TOOLS_BENCH_STREAM_VERIFIER_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace ttyhub::bench {

struct VerifyCounts {
  uint64_t received_bytes = 0;  // every byte fed
  uint64_t verified_bytes = 0;  // bytes that matched the pattern where expected
  uint64_t gaps = 0;            // forward jumps (bytes lost in between)
  uint64_t gap_bytes = 0;
  uint64_t backward_jumps = 0;  // duplicated or reordered data
  uint64_t backward_bytes = 0;
  uint64_t corrupt_bytes = 0;  // bytes that match no stream offset

  void Add(const VerifyCounts& o);
  bool Clean() const { return gaps == 0 && backward_jumps == 0 && corrupt_bytes == 0; }
  // "clean" or e.g. "2 gaps (4096 B lost), 3 corrupt bytes".
  std::string Describe() const;
};

class StreamVerifier {
 public:
  enum class Start { kAtZero, kAnywhere };

  StreamVerifier(uint64_t seed, Start start);

  void Feed(const uint8_t* data, size_t n);

  // The next stream offset expected: one past the last byte verified.
  uint64_t position() const { return position_; }
  bool joined() const { return joined_; }
  // Where a kAnywhere reader joined the stream (0 for kAtZero).
  uint64_t join_offset() const { return join_offset_; }
  // Bytes received but not yet placed (fewer than 16 after a departure).
  uint64_t unplaced_bytes() const { return pending_len_; }
  const VerifyCounts& counts() const { return counts_; }

 private:
  // Places `data`; does not count it as received.
  void Consume(const uint8_t* data, size_t n);
  // Locates pending_ in the stream and verifies what follows, dropping
  // bytes that match nothing as corrupt, until fewer than 16 remain unplaced.
  void Resync();

  uint64_t seed_;
  bool joined_;
  bool in_sync_;
  uint64_t position_ = 0;
  uint64_t join_offset_ = 0;
  uint64_t dropped_since_sync_ = 0;
  // Bytes awaiting Resync (at most kPatternLocateBytes - 1 between calls).
  uint8_t pending_[64];
  size_t pending_len_ = 0;
  VerifyCounts counts_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_STREAM_VERIFIER_H_
