// Cursor, floor and lapping rules of the fan-out ring.
#include "engine/fanout_ring.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

constexpr size_t kCap = 4096;

FanoutRing MakeRing() {
  auto buf = MirroredBuffer::Create(kCap);
  EXPECT_TRUE(buf.ok()) << buf.status();
  return FanoutRing(*std::move(buf));
}

// Writes `n` bytes of pattern (position-derived) respecting `floor`.
size_t Write(FanoutRing& ring, uint64_t floor, size_t n) {
  auto span = ring.WritableSpan(floor);
  n = std::min(n, span.size());
  for (size_t i = 0; i < n; ++i) span[i] = static_cast<uint8_t>((ring.head() + i) * 31 + 7);
  ring.Commit(n);
  return n;
}

bool Matches(std::span<const uint8_t> data, uint64_t start) {
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != static_cast<uint8_t>((start + i) * 31 + 7)) return false;
  }
  return true;
}

// Pages given back leave both copies zero and not resident, and the
// buffer stays usable: the next write brings a page back, mirrored.
TEST(MirroredBufferTest, ReleasePagesEmptiesBothCopies) {
  auto buf = MirroredBuffer::Create(4 * kCap);
  ASSERT_TRUE(buf.ok()) << buf.status();
  EXPECT_EQ(buf->ResidentPages(), 0u);  // nothing touched yet
  buf->data()[10] = 'x';
  buf->data()[4 * kCap + 3 * kCap] = 'y';  // the mirror of the last page
  EXPECT_EQ(buf->ResidentPages(), 2u);
  ASSERT_TRUE(buf->ReleasePages());
  EXPECT_EQ(buf->ResidentPages(), 0u);
  // Reading a page given back brings a fresh (zero) page in, as writing does.
  EXPECT_EQ(buf->data()[10], 0);
  EXPECT_EQ(buf->data()[4 * kCap + 10], 0);
  buf->data()[4 * kCap + 20] = 'z';  // through the mirror
  EXPECT_EQ(buf->data()[20], 'z');
  EXPECT_EQ(buf->ResidentPages(), 1u);
  EXPECT_EQ(buf->data()[4 * kCap + 3 * kCap], 0);
}

TEST(FanoutRingTest, ReleasePagesKeepsPositions) {
  FanoutRing ring = MakeRing();
  ASSERT_EQ(Write(ring, 0, 100), 100u);
  EXPECT_EQ(ring.ResidentPages(), 1u);
  ASSERT_TRUE(ring.ReleasePages());
  EXPECT_EQ(ring.ResidentPages(), 0u);
  EXPECT_EQ(ring.head(), 100u);
  ASSERT_EQ(Write(ring, 100, 50), 50u);
  EXPECT_TRUE(Matches(ring.ReadableSpan(100, 50), 100));
}

TEST(MirroredBufferTest, RejectsBadCapacities) {
  EXPECT_FALSE(MirroredBuffer::Create(0).ok());
  EXPECT_FALSE(MirroredBuffer::Create(3000).ok());
  EXPECT_FALSE(MirroredBuffer::Create(4096 + 4096 * 2).ok());  // not a power of two
}

TEST(MirroredBufferTest, SecondCopyAliasesTheFirst) {
  auto buf = MirroredBuffer::Create(kCap);
  ASSERT_TRUE(buf.ok());
  buf->data()[10] = 42;
  EXPECT_EQ(buf->data()[kCap + 10], 42);
  buf->data()[kCap + 20] = 7;
  EXPECT_EQ(buf->data()[20], 7);
}

TEST(FanoutRingTest, EmptyRing) {
  FanoutRing ring = MakeRing();
  EXPECT_EQ(ring.head(), 0u);
  EXPECT_EQ(ring.oldest(), 0u);
  EXPECT_EQ(ring.WritableSpan(0).size(), kCap);
  EXPECT_TRUE(ring.ReadableSpan(0, 100).empty());
  EXPECT_EQ(ring.Pending(0), 0u);
}

TEST(FanoutRingTest, FloorLimitsTheWriter) {
  FanoutRing ring = MakeRing();
  EXPECT_EQ(Write(ring, 0, 1000), 1000u);
  // A reader at 0 pins everything: only kCap - 1000 more bytes fit.
  EXPECT_EQ(ring.WritableSpan(0).size(), kCap - 1000);
  EXPECT_EQ(Write(ring, 0, kCap), kCap - 1000);
  EXPECT_TRUE(ring.WritableSpan(0).empty());
  // The reader is a full ring behind, and nothing was lost.
  EXPECT_FALSE(ring.Lapped(0));
  EXPECT_EQ(ring.Pending(0), kCap);
  EXPECT_TRUE(Matches(ring.ReadableSpan(0, kCap), 0));
}

TEST(FanoutRingTest, SpansAcrossTheWrapAreContiguous) {
  FanoutRing ring = MakeRing();
  Write(ring, 0, kCap - 100);
  uint64_t cursor = kCap - 100;
  // Next write straddles the end of the buffer.
  EXPECT_EQ(Write(ring, cursor, 300), 300u);
  auto span = ring.ReadableSpan(cursor, 1000);
  EXPECT_EQ(span.size(), 300u);
  EXPECT_TRUE(Matches(span, cursor));
}

TEST(FanoutRingTest, LappedReaderCatchesUpToOldest) {
  FanoutRing ring = MakeRing();
  uint64_t slow = 0;
  uint64_t fast = 0;
  for (int i = 0; i < 10; ++i) {
    // Only the fast reader holds the ring; the slow one does not.
    fast += Write(ring, fast, 1500);
  }
  EXPECT_EQ(ring.head(), 15000u);
  EXPECT_EQ(ring.oldest(), 15000u - kCap);
  EXPECT_TRUE(ring.Lapped(slow));
  EXPECT_EQ(ring.Pending(slow), kCap);
  EXPECT_EQ(ring.CatchUp(&slow), 15000u - kCap);
  EXPECT_EQ(slow, ring.oldest());
  EXPECT_EQ(ring.CatchUp(&slow), 0u);  // idempotent
  EXPECT_TRUE(Matches(ring.ReadableSpan(slow, kCap), slow));
}

TEST(FanoutRingTest, CursorExactlyAtOldestIsNotLapped) {
  FanoutRing ring = MakeRing();
  uint64_t r = 0;
  Write(ring, 0, kCap);
  EXPECT_FALSE(ring.Lapped(r));
  Write(ring, ring.head(), 1);  // now byte 0 is gone
  EXPECT_TRUE(ring.Lapped(r));
  EXPECT_EQ(ring.CatchUp(&r), 1u);
}

TEST(FanoutRingTest, ManyReadersSeeIdenticalBytes) {
  FanoutRing ring = MakeRing();
  uint64_t cursors[8] = {};
  uint64_t total = 0;
  while (total < 100000) {
    uint64_t floor = ring.head();
    for (uint64_t c : cursors) floor = std::min(floor, c);
    total += Write(ring, floor, 777);
    for (int i = 0; i < 8; ++i) {
      // Reader i consumes a different amount each round.
      auto span = ring.ReadableSpan(cursors[i], 100 * (i + 1));
      ASSERT_TRUE(Matches(span, cursors[i]));
      cursors[i] += span.size();
    }
  }
  for (uint64_t& c : cursors) {
    while (ring.Pending(c) > 0) {
      auto span = ring.ReadableSpan(c, 4096);
      ASSERT_TRUE(Matches(span, c));
      c += span.size();
    }
    EXPECT_EQ(c, ring.head());
  }
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// Issue 14: a device READ armed through io_uring may fill the reserved part
// of the ring at any moment, so from the moment it is armed those bytes
// count as gone: a lagging reader is lapped past them, and the floor a
// lossless reader holds is never given away.
TEST(FanoutRingTest, AReservationLapsLaggingReadersAtOnce) {
  FanoutRing ring = MakeRing();
  const std::string fill(kCap, 'a');
  auto span = ring.WritableSpan(0);
  std::memcpy(span.data(), fill.data(), kCap);
  ring.Commit(kCap);  // full: oldest 0, head kCap
  const uint64_t lossless_cursor = 100;
  ASSERT_EQ(ring.WritableSpan(lossless_cursor).size(), 100u);
  ring.Reserve(64);
  EXPECT_EQ(ring.oldest(), 64u);
  uint64_t lagging = 10;
  EXPECT_EQ(ring.CatchUp(&lagging), 54u);
  EXPECT_EQ(lagging, 64u);
  EXPECT_GE(lossless_cursor, ring.oldest()) << "a held floor is never given away";
  ring.Commit(20);  // the read filled only 20 bytes: the rest is held again
  EXPECT_EQ(ring.head(), kCap + 20);
  EXPECT_EQ(ring.reserved(), 0u);
  EXPECT_EQ(ring.oldest(), 20u);
  ring.Reserve(30);
  ring.Unreserve();  // a cancelled read wrote nothing
  EXPECT_EQ(ring.oldest(), 20u);
}

}  // namespace
}  // namespace ttyhub
