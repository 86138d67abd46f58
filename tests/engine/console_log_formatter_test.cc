// ConsoleLogFormatter: byte-exact output, timestamps at line starts, held
// partial lines, input lines and markers.
#include "engine/console_log_formatter.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// 2026-12-01T09:00:00.000Z in ms since the epoch, and a clock that says the
// byte at position p was read p ms later.
constexpr int64_t kBase = 1796115600000;
const ConsoleLogFormatter::TimeOf kTime = [](uint64_t p) {
  return kBase + static_cast<int64_t>(p);
};

TEST(ConsoleLogFormatterTest, WithoutTimestampsOutputIsTheDeviceBytesExactly) {
  ConsoleLogFormatter f(/*timestamps=*/false, /*input=*/false);
  std::string device;
  for (int i = 0; i < 3; ++i) {
    for (int b = 0; b < 256; ++b) device.push_back(static_cast<char>(b));
  }
  std::string out;
  size_t done = 0;
  while (done < device.size()) {
    const size_t n =
        f.FormatOutput(Bytes(device).subspan(done, std::min<size_t>(100, device.size() - done)),
                       done, kTime, /*flush_partial=*/false, 1 << 20, &out);
    ASSERT_GT(n, 0u) << "a partial line must not be held without timestamps";
    done += n;
  }
  EXPECT_EQ(out, device);
}

TEST(ConsoleLogFormatterTest, TimestampsAreTheTimeOfEachLinesFirstByte) {
  ConsoleLogFormatter f(true, false);
  std::string out;
  const std::string data = "boot\r\nlogin: ";
  const size_t n = f.FormatOutput(Bytes(data), 1000, kTime, false, 1 << 20, &out);
  EXPECT_EQ(n, 6u) << "the partial line is held";
  EXPECT_EQ(out, "2026-12-01T09:00:01.000Z boot\r\n");
  // After the quiet second the prompt is written; the rest of its line
  // follows without a new timestamp.
  out.clear();
  EXPECT_EQ(f.FormatOutput(Bytes(data).subspan(6), 1006, kTime, true, 1 << 20, &out), 7u);
  EXPECT_EQ(out, "2026-12-01T09:00:01.006Z login: ");
  EXPECT_TRUE(f.mid_line());
  out.clear();
  EXPECT_EQ(f.FormatOutput(Bytes("root\r\nnext\n"), 2500, kTime, false, 1 << 20, &out), 11u);
  EXPECT_EQ(out, "root\r\n2026-12-01T09:00:02.506Z next\n");
}

TEST(ConsoleLogFormatterTest, StrippingTheTimestampsGivesBackTheDeviceBytes) {
  ConsoleLogFormatter f(true, false);
  std::string device;
  for (int i = 0; i < 5000; ++i) device.push_back(static_cast<char>((i * 7919) % 256));
  device += "\n";
  std::string out;
  size_t done = 0;
  while (done < device.size()) {
    const size_t chunk = std::min<size_t>(333, device.size() - done);
    const size_t n = f.FormatOutput(Bytes(device).subspan(done, chunk), done, kTime,
                                    done + chunk == device.size(), 1 << 20, &out);
    done += n;
    if (n == 0) {
      // Held: give it the rest at once, as the ring would.
      done += f.FormatOutput(Bytes(device).subspan(done), done, kTime, true, 1 << 20, &out);
    }
  }
  std::string back;
  for (absl::string_view line : absl::StrSplit(out, absl::ByString("\n"))) {
    if (line.empty()) continue;
    ASSERT_GE(line.size(), ConsoleLogFormatter::kTimestampBytes);
    back.append(std::string(line.substr(ConsoleLogFormatter::kTimestampBytes)));
    back.push_back('\n');
  }
  EXPECT_EQ(back, device);
}

TEST(ConsoleLogFormatterTest, ALongLineWithoutNewlineIsNotHeldForever) {
  ConsoleLogFormatter f(true, false);
  const std::string data(ConsoleLogFormatter::kMaxHeldLineBytes, 'x');
  std::string out;
  EXPECT_EQ(f.FormatOutput(Bytes(data), 0, kTime, false, 1 << 20, &out), data.size());
}

TEST(ConsoleLogFormatterTest, OutputStopsAtTheBufferLimitAndCarriesOn) {
  ConsoleLogFormatter f(true, false);
  const std::string data = "aaaa\nbbbb\ncccc\n";
  std::string out;
  const size_t n = f.FormatOutput(Bytes(data), 0, kTime, false, 32, &out);
  EXPECT_LT(n, data.size());
  EXPECT_LE(out.size(), 32u);
  std::string rest;
  EXPECT_EQ(f.FormatOutput(Bytes(data).subspan(n), n, kTime, false, 1 << 20, &rest),
            data.size() - n);
  out += rest;
  EXPECT_EQ(out,
            "2026-12-01T09:00:00.000Z aaaa\n2026-12-01T09:00:00.005Z bbbb\n"
            "2026-12-01T09:00:00.010Z cccc\n");
}

TEST(ConsoleLogFormatterTest, InputLinesAreMarkedAndGoBetweenOutputLines) {
  ConsoleLogFormatter f(true, true);
  std::string out;
  EXPECT_EQ(f.AddInput(Bytes(std::string("show ver\r\0ex", 12)), kBase + 5), 0u);
  f.FormatInput(false, &out);
  EXPECT_EQ(out, "2026-12-01T09:00:00.005Z [input] show ver\n") << "\"ex\" waits for its line end";
  out.clear();
  // Mid-line output keeps input back until flushed.
  EXPECT_EQ(f.FormatOutput(Bytes("Router# "), 0, kTime, true, 1 << 20, &out), 8u);
  f.FormatInput(false, &out);
  EXPECT_EQ(out, "2026-12-01T09:00:00.000Z Router# ");
  out.clear();
  f.FormatInput(true, &out);
  EXPECT_EQ(out, "\n2026-12-01T09:00:00.005Z [input] ex\n");
  EXPECT_FALSE(f.has_pending_input());
}

TEST(ConsoleLogFormatterTest, InputIsIgnoredWhenNotLoggedAndBoundedWhenItIs) {
  ConsoleLogFormatter off(false, false);
  std::string out;
  EXPECT_EQ(off.AddInput(Bytes("secret\r"), kBase), 0u);
  off.FormatInput(true, &out);
  EXPECT_EQ(out, "");
  ConsoleLogFormatter on(false, true);
  const std::string big(ConsoleLogFormatter::kMaxPendingInputBytes + 10, 'y');
  EXPECT_EQ(on.AddInput(Bytes(big), kBase), 10u);
}

TEST(ConsoleLogFormatterTest, MarkersEndAPartialLineAndStandAlone) {
  ConsoleLogFormatter f(false, false);
  std::string out;
  f.FormatOutput(Bytes("abc"), 0, kTime, false, 1 << 20, &out);
  f.Marker("12345 bytes not logged (disk too slow)", kBase, &out);
  EXPECT_EQ(out, "abc\n--- ttyhub: 12345 bytes not logged (disk too slow) ---\n");
  EXPECT_FALSE(f.mid_line());
}

}  // namespace
}  // namespace ttyhub
