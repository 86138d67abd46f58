// Where a new client's history starts in the port's ring.
#include "engine/history.h"

#include <algorithm>
#include <string>

#include "engine/mirrored_buffer.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

class HistoryTest : public ::testing::Test {
 protected:
  // Appends to the ring as the device would (nothing holds the ring back).
  void Device(const std::string& bytes) {
    for (char c : bytes) {
      auto space = ring_.WritableSpan(ring_.head());
      space[0] = static_cast<uint8_t>(c);
      ring_.Commit(1);
    }
  }
  std::string From(uint64_t start) {
    auto span = ring_.ReadableSpan(start, static_cast<size_t>(ring_.head() - start));
    return std::string(span.begin(), span.end());
  }
  static HistorySpec Bytes(uint64_t n) { return {HistorySpec::Kind::kBytes, n}; }
  static HistorySpec Lines(uint64_t n) { return {HistorySpec::Kind::kLines, n}; }
  FanoutRing ring_{*MirroredBuffer::Create(4096)};
};

TEST_F(HistoryTest, OffStartsAtTheHead) {
  Device("boot\n");
  EXPECT_EQ(HistoryStart(ring_, {}), ring_.head());
}

TEST_F(HistoryTest, BytesAreTheLastNHeld) {
  Device("0123456789");
  EXPECT_EQ(From(HistoryStart(ring_, Bytes(4))), "6789");
  EXPECT_EQ(From(HistoryStart(ring_, Bytes(100))), "0123456789");
  // Once the ring has wrapped, at most what it holds.
  Device(std::string(5000, 'x'));
  EXPECT_EQ(HistoryStart(ring_, Bytes(1 << 20)), ring_.oldest());
}

TEST_F(HistoryTest, LinesCountAnUnfinishedLastLine) {
  Device("one\ntwo\nthree\n");
  EXPECT_EQ(From(HistoryStart(ring_, Lines(2))), "two\nthree\n");
  EXPECT_EQ(From(HistoryStart(ring_, Lines(1))), "three\n");
  EXPECT_EQ(From(HistoryStart(ring_, Lines(9))), "one\ntwo\nthree\n");
  Device("login: ");  // a prompt: a line without its newline yet
  EXPECT_EQ(From(HistoryStart(ring_, Lines(1))), "login: ");
  EXPECT_EQ(From(HistoryStart(ring_, Lines(2))), "three\nlogin: ");
}

TEST_F(HistoryTest, AWrappedRingSkipsTheFragmentAtItsOldestByte) {
  std::string out;
  for (int i = 0; i < 600; ++i) out += "line " + std::to_string(i) + "\n";
  Device(out);  // about 5.6 KB through a 4 KiB ring
  const std::string all = From(HistoryStart(ring_, Lines(100000)));
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.rfind("line ", 0), 0u) << "starts mid-line: " << all.substr(0, 20);
  EXPECT_EQ(From(HistoryStart(ring_, Lines(2))), "line 598\nline 599\n");
}

// History larger than the ring: bytes older than the ring's oldest come
// from the console log, and exactly as many as complete the request.
TEST_F(HistoryTest, OlderBytesCompleteAByteCountTheRingCannotHold) {
  Device(std::string(5000, 'x'));  // the 4 KiB ring holds 4096 of them
  EXPECT_TRUE(RingHoldsHistory(ring_, Bytes(4096)));
  EXPECT_FALSE(RingHoldsHistory(ring_, Bytes(4097)));
  EXPECT_EQ(OlderBytesToReplay("abcdef", ring_, Bytes(4096)), 0u);
  EXPECT_EQ(OlderBytesToReplay("abcdef", ring_, Bytes(4100)), 4u);
  EXPECT_EQ(OlderBytesToReplay("abcdef", ring_, Bytes(1 << 20)), 6u) << "all the log has";
  EXPECT_EQ(OlderBytesToReplay("abcdef", ring_, {}), 0u);
}

TEST_F(HistoryTest, OlderLinesJoinTheFragmentAtTheRingsOldestByte) {
  std::string out;
  for (int i = 0; i < 600; ++i) out += "line " + std::to_string(i) + "\n";
  Device(out);
  // What the log holds before the ring's oldest byte ends mid-line.
  const std::string older = out.substr(0, out.size() - 4096);
  const std::string held = From(ring_.oldest());
  ASSERT_NE(older.back(), '\n');
  const uint64_t held_lines = static_cast<uint64_t>(std::count(held.begin(), held.end(), '\n'));
  EXPECT_TRUE(RingHoldsHistory(ring_, Lines(held_lines - 1)));
  EXPECT_FALSE(RingHoldsHistory(ring_, Lines(held_lines)));
  // N lines: the fragment's start from the log, then N-1 more lines of it.
  for (uint64_t extra : {0, 1, 5}) {
    const uint64_t n = held_lines + extra;
    const size_t take = OlderBytesToReplay(older, ring_, Lines(n));
    const std::string replay = older.substr(older.size() - take) + held;
    EXPECT_EQ(std::count(replay.begin(), replay.end(), '\n'), static_cast<long>(n)) << n;
    EXPECT_EQ(replay.rfind("line ", 0), 0u) << n << ": starts at a line start";
    EXPECT_EQ(out.substr(out.size() - replay.size()), replay);
  }
  EXPECT_EQ(OlderBytesToReplay(older, ring_, Lines(100000)), older.size());
}

TEST_F(HistoryTest, OlderLinesForAnEmptyRingCountAFinalNewlineOnce) {
  EXPECT_FALSE(RingHoldsHistory(ring_, Lines(1)));
  EXPECT_EQ(OlderBytesToReplay("a\nb\nc\n", ring_, Lines(2)), 4u);      // "b\nc\n"
  EXPECT_EQ(OlderBytesToReplay("a\nb\nlogin: ", ring_, Lines(2)), 9u);  // "b\nlogin: "
}

TEST_F(HistoryTest, EmptyRingHasNoHistory) {
  EXPECT_EQ(HistoryStart(ring_, Lines(5)), 0u);
  EXPECT_EQ(HistoryStart(ring_, Bytes(5)), 0u);
  EXPECT_TRUE(MakeHistoryMarkers("p", 0).before.empty());
  EXPECT_FALSE(MakeHistoryMarkers("p", 10).after.empty());
}

}  // namespace
}  // namespace ttyhub
