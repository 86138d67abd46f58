// The byte pattern every benchmark stream carries, so that loss, corruption,
// duplication and reordering are detected rather than assumed away.
//
// Byte k of a stream is byte (k % 8) of the little-endian 64-bit word
// ((k / 8) * M) XOR seed, for a fixed odd multiplier M. The multiplication
// spreads each word's index over all eight bytes, so neighbouring words
// differ in every byte (a jump is noticed at once, not a few bytes late),
// and since M is invertible modulo 2^64 any 16 consecutive bytes name their
// own offset. Each stream (port, direction) has its own seed: bytes from
// another stream decode to an implausible offset. Pure functions; any
// thread.
#ifndef TTYHUB_TOOLS_BENCH_PATTERN_H_
#define TTYHUB_TOOLS_BENCH_PATTERN_H_

#include <cstddef>
#include <cstdint>
#include <optional>

namespace ttyhub::bench {

// The seed of stream `stream_id`.
uint64_t PatternSeed(uint32_t stream_id);

// Writes the stream bytes [offset, offset + n) to `out`.
void FillPattern(uint64_t seed, uint64_t offset, uint8_t* out, size_t n);

// True if `data[0, n)` equals the stream bytes [offset, offset + n).
bool MatchesPattern(uint64_t seed, uint64_t offset, const uint8_t* data, size_t n);

// Index of the first byte of `data[0, n)` that differs from the stream at
// `offset`, or n if all match.
size_t FirstMismatch(uint64_t seed, uint64_t offset, const uint8_t* data, size_t n);

// The bytes needed to recognise an offset (LocatePattern).
inline constexpr size_t kPatternLocateBytes = 16;

// If data[0, n) (n >= kPatternLocateBytes) is a run of the stream, returns
// its offset. Checks the first kPatternLocateBytes bytes.
std::optional<uint64_t> LocatePattern(uint64_t seed, const uint8_t* data, size_t n);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PATTERN_H_
