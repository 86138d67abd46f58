// See pattern.h.
#include "tools/bench/pattern.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ttyhub::bench {
namespace {

static_assert(std::endian::native == std::endian::little, "the pattern assumes little-endian");

constexpr size_t kCompareChunk = 4096;
constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;  // odd: invertible mod 2^64

// The multiplicative inverse of an odd number modulo 2^64 (Newton's method:
// each step doubles the correct low bits).
constexpr uint64_t Inverse(uint64_t odd) {
  uint64_t x = odd;  // correct to 3 bits
  for (int i = 0; i < 5; ++i) x *= 2 - odd * x;
  return x;
}
constexpr uint64_t kInverse = Inverse(kMultiplier);
static_assert(kMultiplier * kInverse == 1);

// Streams are far shorter than this many 8-byte words (8 TiB).
constexpr uint64_t kMaxWordIndex = uint64_t{1} << 40;

inline uint64_t Word(uint64_t seed, uint64_t index) { return (index * kMultiplier) ^ seed; }

inline uint8_t PatternByte(uint64_t seed, uint64_t k) {
  return static_cast<uint8_t>(Word(seed, k / 8) >> (8 * (k % 8)));
}

}  // namespace

uint64_t PatternSeed(uint32_t stream_id) {
  return (static_cast<uint64_t>(stream_id) + 1) * 0xD6E8FEB86659FD93ull;
}

void FillPattern(uint64_t seed, uint64_t offset, uint8_t* out, size_t n) {
  size_t i = 0;
  while (i < n && (offset + i) % 8 != 0) {
    out[i] = PatternByte(seed, offset + i);
    ++i;
  }
  uint64_t word_index = (offset + i) / 8;
  for (; i + 8 <= n; i += 8, ++word_index) {
    const uint64_t word = Word(seed, word_index);
    std::memcpy(out + i, &word, 8);
  }
  for (; i < n; ++i) out[i] = PatternByte(seed, offset + i);
}

size_t FirstMismatch(uint64_t seed, uint64_t offset, const uint8_t* data, size_t n) {
  uint8_t expected[kCompareChunk];
  size_t done = 0;
  while (done < n) {
    const size_t len = std::min(kCompareChunk, n - done);
    FillPattern(seed, offset + done, expected, len);
    if (std::memcmp(expected, data + done, len) != 0) {
      for (size_t i = 0; i < len; ++i) {
        if (expected[i] != data[done + i]) return done + i;
      }
    }
    done += len;
  }
  return n;
}

bool MatchesPattern(uint64_t seed, uint64_t offset, const uint8_t* data, size_t n) {
  return FirstMismatch(seed, offset, data, n) == n;
}

std::optional<uint64_t> LocatePattern(uint64_t seed, const uint8_t* data, size_t n) {
  if (n < kPatternLocateBytes) return std::nullopt;
  // Try each alignment: if the run starts at phase r of a word, its first
  // whole word begins (8 - r) % 8 bytes in.
  for (size_t lead = 0; lead < 8; ++lead) {
    uint64_t word;
    std::memcpy(&word, data + lead, 8);
    const uint64_t word_index = (word ^ seed) * kInverse;
    if (word_index >= kMaxWordIndex) continue;  // another stream, or noise
    const uint64_t word_offset = word_index * 8;
    if (word_offset < lead) continue;
    const uint64_t offset = word_offset - lead;
    if (MatchesPattern(seed, offset, data, kPatternLocateBytes)) return offset;
  }
  return std::nullopt;
}

}  // namespace ttyhub::bench
