// Where a new client's history starts in the port's ring.
#include "engine/history.h"

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

TEST_F(HistoryTest, EmptyRingHasNoHistory) {
  EXPECT_EQ(HistoryStart(ring_, Lines(5)), 0u);
  EXPECT_EQ(HistoryStart(ring_, Bytes(5)), 0u);
  EXPECT_TRUE(MakeHistoryMarkers("p", 0).before.empty());
  EXPECT_FALSE(MakeHistoryMarkers("p", 10).after.empty());
}

}  // namespace
}  // namespace ttyhub
