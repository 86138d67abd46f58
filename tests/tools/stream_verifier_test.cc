// Unit tests of ttyhub-bench's pattern and stream verifier: a clean stream
// verifies, and loss, duplication, reordering, corruption and bytes from
// another stream are each detected and classified, whatever the chunking.
#include "tools/bench/stream_verifier.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/bench/pattern.h"

namespace ttyhub::bench {
namespace {

std::vector<uint8_t> Stream(uint64_t seed, uint64_t offset, size_t n) {
  std::vector<uint8_t> v(n);
  FillPattern(seed, offset, v.data(), n);
  return v;
}

// Feeds `data` in chunks of `chunk` bytes.
void FeedChunked(StreamVerifier& v, const std::vector<uint8_t>& data, size_t chunk) {
  for (size_t i = 0; i < data.size(); i += chunk) {
    v.Feed(data.data() + i, std::min(chunk, data.size() - i));
  }
}

void Append(std::vector<uint8_t>* to, const std::vector<uint8_t>& more) {
  to->insert(to->end(), more.begin(), more.end());
}

const uint64_t kSeed = PatternSeed(7);

TEST(PatternTest, EverySixteenBytesNameTheirOffset) {
  const std::vector<uint8_t> s = Stream(kSeed, 0, 4096);
  for (uint64_t offset : {0u, 1u, 7u, 8u, 9u, 1000u, 4000u}) {
    const std::optional<uint64_t> at = LocatePattern(kSeed, s.data() + offset, 16);
    ASSERT_TRUE(at.has_value()) << offset;
    EXPECT_EQ(*at, offset);
  }
  // Another stream's bytes are not this stream's.
  const std::vector<uint8_t> other = Stream(PatternSeed(8), 0, 64);
  EXPECT_FALSE(LocatePattern(kSeed, other.data(), other.size()).has_value());
}

TEST(StreamVerifierTest, CleanStreamInAnyChunking) {
  const std::vector<uint8_t> s = Stream(kSeed, 0, 100000);
  for (size_t chunk : {1u, 3u, 16u, 4095u, 100000u}) {
    StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
    FeedChunked(v, s, chunk);
    EXPECT_TRUE(v.counts().Clean()) << chunk << ": " << v.counts().Describe();
    EXPECT_EQ(v.position(), s.size());
    EXPECT_EQ(v.counts().verified_bytes, s.size());
  }
}

TEST(StreamVerifierTest, JoinsAnywhere) {
  const std::vector<uint8_t> s = Stream(kSeed, 12345, 5000);
  StreamVerifier v(kSeed, StreamVerifier::Start::kAnywhere);
  FeedChunked(v, s, 7);
  EXPECT_TRUE(v.joined());
  EXPECT_EQ(v.join_offset(), 12345u);
  EXPECT_EQ(v.position(), 12345u + 5000u);
  EXPECT_TRUE(v.counts().Clean());
}

TEST(StreamVerifierTest, CountsLoss) {
  std::vector<uint8_t> s = Stream(kSeed, 0, 1000);
  Append(&s, Stream(kSeed, 1777, 1000));  // 777 bytes missing
  StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
  FeedChunked(v, s, 100);
  EXPECT_EQ(v.counts().gaps, 1u);
  EXPECT_EQ(v.counts().gap_bytes, 777u);
  EXPECT_EQ(v.counts().corrupt_bytes, 0u);
  EXPECT_EQ(v.position(), 2777u);
}

TEST(StreamVerifierTest, LossAtTheStartFromZero) {
  const std::vector<uint8_t> s = Stream(kSeed, 50, 500);
  StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
  FeedChunked(v, s, 500);
  EXPECT_EQ(v.counts().gaps, 1u);
  EXPECT_EQ(v.counts().gap_bytes, 50u);
}

TEST(StreamVerifierTest, CountsDuplicationAndReordering) {
  std::vector<uint8_t> s = Stream(kSeed, 0, 1000);
  Append(&s, Stream(kSeed, 900, 1100));  // 100 bytes again
  StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
  FeedChunked(v, s, 64);
  EXPECT_EQ(v.counts().backward_jumps, 1u);
  EXPECT_EQ(v.counts().backward_bytes, 100u);
  EXPECT_EQ(v.position(), 2000u);

  // Two blocks swapped: a forward jump, then a backward one, then forward.
  std::vector<uint8_t> swapped = Stream(kSeed, 0, 100);
  Append(&swapped, Stream(kSeed, 200, 100));
  Append(&swapped, Stream(kSeed, 100, 100));
  Append(&swapped, Stream(kSeed, 300, 100));
  StreamVerifier w(kSeed, StreamVerifier::Start::kAtZero);
  FeedChunked(w, swapped, 33);
  EXPECT_FALSE(w.counts().Clean());
  EXPECT_GE(w.counts().backward_jumps, 1u);
  EXPECT_GE(w.counts().gaps, 1u);
}

TEST(StreamVerifierTest, CountsCorruptionWithoutInventingLoss) {
  std::vector<uint8_t> s = Stream(kSeed, 0, 3000);
  s[1000] ^= 0x40;
  s[2000] = 0;
  StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
  FeedChunked(v, s, 256);
  EXPECT_EQ(v.counts().gaps, 0u);
  EXPECT_EQ(v.counts().backward_jumps, 0u);
  EXPECT_GE(v.counts().corrupt_bytes, 2u);
  EXPECT_EQ(v.position(), 3000u);
}

TEST(StreamVerifierTest, AnotherStreamIsCorruption) {
  std::vector<uint8_t> s = Stream(kSeed, 0, 500);
  Append(&s, Stream(PatternSeed(9), 500, 200));
  Append(&s, Stream(kSeed, 700, 300));
  StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
  FeedChunked(v, s, 50);
  EXPECT_EQ(v.counts().corrupt_bytes, 200u);
  EXPECT_EQ(v.counts().gaps, 0u);
  EXPECT_EQ(v.position(), 1000u);
}

TEST(StreamVerifierTest, ShortTailAfterADepartureStaysUnplaced) {
  std::vector<uint8_t> s = Stream(kSeed, 0, 100);
  Append(&s, Stream(kSeed, 500, 10));  // too short to locate
  StreamVerifier v(kSeed, StreamVerifier::Start::kAtZero);
  v.Feed(s.data(), s.size());
  EXPECT_EQ(v.position(), 100u);
  EXPECT_EQ(v.unplaced_bytes(), 10u);
}

}  // namespace
}  // namespace ttyhub::bench
