// See stream_verifier.h.
#include "tools/bench/stream_verifier.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tools/bench/pattern.h"

namespace ttyhub::bench {

void VerifyCounts::Add(const VerifyCounts& o) {
  received_bytes += o.received_bytes;
  verified_bytes += o.verified_bytes;
  gaps += o.gaps;
  gap_bytes += o.gap_bytes;
  backward_jumps += o.backward_jumps;
  backward_bytes += o.backward_bytes;
  corrupt_bytes += o.corrupt_bytes;
}

std::string VerifyCounts::Describe() const {
  if (Clean()) return "clean";
  std::string s;
  auto add = [&s](const std::string& part) { absl::StrAppend(&s, s.empty() ? "" : ", ", part); };
  if (gaps > 0) add(absl::StrCat(gaps, " gaps (", gap_bytes, " B lost)"));
  if (backward_jumps > 0) {
    add(absl::StrCat(backward_jumps, " backward jumps (", backward_bytes,
                     " B duplicated/reordered)"));
  }
  if (corrupt_bytes > 0) add(absl::StrCat(corrupt_bytes, " corrupt bytes"));
  return s;
}

StreamVerifier::StreamVerifier(uint64_t seed, Start start)
    : seed_(seed), joined_(start == Start::kAtZero), in_sync_(start == Start::kAtZero) {}

void StreamVerifier::Feed(const uint8_t* data, size_t n) {
  counts_.received_bytes += n;
  Consume(data, n);
}

void StreamVerifier::Consume(const uint8_t* data, size_t n) {
  while (n > 0) {
    if (in_sync_) {
      const size_t good = FirstMismatch(seed_, position_, data, n);
      position_ += good;
      counts_.verified_bytes += good;
      data += good;
      n -= good;
      if (n == 0) return;
      in_sync_ = false;  // a departure: locate what follows
      dropped_since_sync_ = 0;
    }
    const size_t take = std::min(n, sizeof(pending_) - pending_len_);
    std::memcpy(pending_ + pending_len_, data, take);
    pending_len_ += take;
    data += take;
    n -= take;
    Resync();
  }
}

void StreamVerifier::Resync() {
  while (!in_sync_ && pending_len_ >= kPatternLocateBytes) {
    const std::optional<uint64_t> at = LocatePattern(seed_, pending_, pending_len_);
    if (!at) {
      // Matches nothing: one corrupt byte; try again one byte on.
      ++counts_.corrupt_bytes;
      ++dropped_since_sync_;
      std::memmove(pending_, pending_ + 1, pending_len_ - 1);
      --pending_len_;
      continue;
    }
    if (!joined_) {
      joined_ = true;
      join_offset_ = *at;
    } else {
      // Bytes dropped as corrupt stood in for stream bytes.
      const uint64_t expected = position_ + dropped_since_sync_;
      if (*at > expected) {
        ++counts_.gaps;
        counts_.gap_bytes += *at - expected;
      } else if (*at < expected) {
        ++counts_.backward_jumps;
        counts_.backward_bytes += expected - *at;
      }
    }
    position_ = *at;
    const size_t good = FirstMismatch(seed_, position_, pending_, pending_len_);
    position_ += good;
    counts_.verified_bytes += good;
    std::memmove(pending_, pending_ + good, pending_len_ - good);
    pending_len_ -= good;
    dropped_since_sync_ = 0;
    in_sync_ = pending_len_ == 0;
  }
}

}  // namespace ttyhub::bench
