// Console logs (issue 10, section 1), end to end: the daemon on real ptys
// writes each port's log; the tests read the files, the JSON API (curl) and
// the daemon's own log. A full disk is a real 512 KiB tmpfs (skipped where
// mounting is not allowed), a slow disk a real FIFO that nobody reads.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

constexpr size_t kStampBytes = 25;  // "2026-12-01T09:00:00.123Z "

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "" if equal; else where and how `got` and `want` differ, without
// printing binary data.
std::string Diff(const std::string& got, const std::string& want) {
  if (got == want) return "";
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return absl::StrCat("got ", got.size(), " bytes, want ", want.size(), "; first difference at ",
                      i);
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// The device bytes in a timestamped log: each line without its timestamp,
// input lines ("[input] ...") and markers left out, into *device; the
// input lines' text into *input.
void SplitLog(const std::string& log, std::string* device, std::vector<std::string>* input) {
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    end = end == std::string::npos ? log.size() : end + 1;
    absl::string_view line(log.data() + pos, end - pos);
    pos = end;
    if (line.size() < kStampBytes) {
      ADD_FAILURE() << "short log line: " << line;
      continue;
    }
    const absl::string_view stamp = line.substr(0, kStampBytes);
    EXPECT_TRUE(stamp[4] == '-' && stamp[10] == 'T' && stamp[19] == '.' && stamp[23] == 'Z' &&
                stamp[24] == ' ')
        << "not a timestamp: " << stamp;
    line.remove_prefix(kStampBytes);
    if (absl::ConsumePrefix(&line, "[input] ")) {
      if (input) input->emplace_back(absl::StripSuffix(line, "\n"));
      continue;
    }
    if (absl::StartsWith(line, "--- ttyhub: ")) continue;
    device->append(line.data(), line.size());
  }
}

class ConsoleLogTest : public ::testing::Test {
 protected:
  std::string Get(const std::string& path) {
    std::string out;
    const int rc = RunProgram("curl",
                              {"-s", "-S", "-f", "--max-time", "10",
                               absl::StrCat("http://127.0.0.1:", admin_port_, path)},
                              "", &out, Deadline::Seconds(20));
    EXPECT_EQ(rc, 0) << "curl " << path << ": " << out;
    return rc == 0 ? out : "";
  }
  uint64_t Counter(const std::string& port, const std::string& name) {
    const auto j = nlohmann::json::parse(Get("/api/v1/ports/" + port), nullptr, false);
    if (j.is_discarded() || !j.contains("counters")) return 0;
    return j["counters"].value(name, uint64_t{0});
  }
  // Polls until `done` or the deadline.
  bool WaitFor(const std::function<bool()>& done, int seconds = 20) {
    const Deadline deadline = Deadline::Seconds(seconds);
    while (!done()) {
      if (deadline.Expired()) return false;
      poll(nullptr, 0, deadline.PollMs(50));
    }
    return true;
  }
  // Starts the daemon with an admin API and `ports` (YAML list items).
  void Start(const std::string& ports) {
    admin_port_ = FreeTcpPorts(1)[0];
    ASSERT_TRUE(daemon_.Start(
        absl::StrCat("admin: {listen: \"127.0.0.1:", admin_port_, "\"}\nports:\n", ports)));
  }

  TempDir dir_;
  Daemon daemon_{dir_};
  uint16_t admin_port_ = 0;
};

TEST_F(ConsoleLogTest, LogsAreByteExactWithAndWithoutTimestampsAndWithInput) {
  TestPty raw_pty, stamped_pty;
  raw_pty.LinkAs(dir_.File("raw"));
  stamped_pty.LinkAs(dir_.File("stamped"));
  const auto tcp = FreeTcpPorts(2);
  Start(absl::StrCat("  - name: raw\n    device: ", dir_.File("raw"),
                     "\n    log: {path: ", dir_.File("logs/%n.log"),
                     ", timestamps: false}\n    listen: [{port: \"127.0.0.1:", tcp[0],
                     "\"}]\n  - name: stamped\n    device: ", dir_.File("stamped"),
                     "\n    log: {path: ", dir_.File("logs/%n.log"),
                     ", input: true}\n    listen: [{port: \"127.0.0.1:", tcp[1], "\"}]\n"));
  // Every byte value, in a pattern that breaks on any loss or reordering.
  const std::string data = Pattern(0, 256 * 1024, 0x5a);
  for (auto [pty, port] : {std::pair{&raw_pty, tcp[0]}, std::pair{&stamped_pty, tcp[1]}}) {
    auto client = TcpClient::Connect(port, Deadline::Seconds(10));
    ASSERT_TRUE(client);
    std::vector<std::string> got;
    ASSERT_TRUE(StreamToReaders(*pty, {client.get()}, data, &got, Deadline::Seconds(30)));
    ASSERT_EQ(Diff(got[0], data), "");
  }
  // Input: what a client types is logged on lines of its own.
  auto typist = TcpClient::Connect(tcp[1], Deadline::Seconds(10));
  ASSERT_TRUE(typist);
  ASSERT_TRUE(typist->SendAll("show version\r\nreload\r", Deadline::Seconds(10)));
  std::string typed;
  ASSERT_TRUE(stamped_pty.ReadExactly(&typed, 21, Deadline::Seconds(10)));
  ASSERT_TRUE(stamped_pty.WriteAll("\r\nRouter# ", Deadline::Seconds(10)));

  const std::string raw_log = dir_.File("logs/raw.log");
  ASSERT_TRUE(WaitFor([&] { return ReadFile(raw_log).size() >= data.size(); }));
  EXPECT_EQ(Diff(ReadFile(raw_log), data), "")
      << "timestamps: false must log the device's bytes exactly";
  struct stat st {};
  ASSERT_EQ(stat(raw_log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);

  // The prompt after the input is a partial line, written after 1 s of quiet.
  const std::string stamped_log = dir_.File("logs/stamped.log");
  ASSERT_TRUE(WaitFor([&] { return absl::EndsWith(ReadFile(stamped_log), "Router# "); }))
      << ReadFile(stamped_log)
             .substr(ReadFile(stamped_log).size() > 300 ? ReadFile(stamped_log).size() - 300 : 0);
  std::string device;
  std::vector<std::string> input;
  SplitLog(ReadFile(stamped_log), &device, &input);
  EXPECT_EQ(Diff(device, data + "\r\nRouter# "), "");
  EXPECT_EQ(input, (std::vector<std::string>{"show version", "reload"}));
  EXPECT_EQ(Counter("stamped", "log_dropped_bytes"), 0u);
  EXPECT_EQ(Counter("stamped", "log_errors"), 0u);
  EXPECT_GT(Counter("stamped", "log_written_bytes"), data.size());
}

TEST_F(ConsoleLogTest, RotatesAtTheConfiguredSizeAndReopensOnSigusr1) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat("  - name: c\n    device: ", dir_.File("dev"),
                     "\n    log: {path: ", dir_.File("logs/%n.log"),
                     ", timestamps: false, rotate: {size: 8KiB, keep: 3}}\n"
                     "    listen: [{port: \"127.0.0.1:",
                     tcp[0], "\"}]\n"));
  std::string all;
  for (int i = 0; all.size() < 60 * 1024; ++i)
    all += absl::StrCat("line ", i, " of the console\r\n");
  ASSERT_TRUE(pty.WriteAll(all, Deadline::Seconds(20)));
  const std::string base = dir_.File("logs/c.log");
  ASSERT_TRUE(WaitFor([&] { return Counter("c", "log_written_bytes") >= all.size(); }));
  std::string kept;
  for (int k = 3; k >= 1; --k) {
    const std::string f = absl::StrCat(base, ".", k);
    ASSERT_TRUE(Exists(f)) << f;
    const std::string text = ReadFile(f);
    EXPECT_LE(text.size(), 8192u) << f;
    EXPECT_GT(text.size(), 8192u - 64) << f << ": rotation comes at the size, at a line end";
    EXPECT_TRUE(absl::EndsWith(text, "\r\n")) << f;
    kept += text;
  }
  EXPECT_FALSE(Exists(base + ".4")) << "keep: 3 keeps three rotated files";
  kept += ReadFile(base);
  EXPECT_LE(ReadFile(base).size(), 8192u);
  ASSERT_TRUE(absl::EndsWith(all, kept)) << "the files hold the newest bytes, in order";

  // logrotate moves the file away and signals; new bytes go to a new file.
  ASSERT_EQ(rename(base.c_str(), dir_.File("logs/moved").c_str()), 0);
  ASSERT_EQ(kill(daemon_.pid(), SIGUSR1), 0);
  ASSERT_TRUE(daemon_.WaitForLog("SIGUSR1: reopened 1 console log files", Deadline::Seconds(10)));
  ASSERT_TRUE(pty.WriteAll("after the reopen\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return ReadFile(base) == "after the reopen\r\n"; })) << ReadFile(base);
  EXPECT_FALSE(absl::StrContains(ReadFile(dir_.File("logs/moved")), "after the reopen"));
}

TEST_F(ConsoleLogTest, FullDiskCostsClientsNothingIsCountedAndLoggingResumes) {
  const std::string mnt = dir_.File("small");
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=512k") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (" << strerror(errno)
                 << "): the full-disk test needs CAP_SYS_ADMIN";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat("  - name: c\n    device: ", dir_.File("dev"), "\n    log: {path: ", mnt,
                     "/%n.log, timestamps: false}\n    buffer: 16KiB\n"
                     "    listen: [{port: \"127.0.0.1:",
                     tcp[0], "\"}]\n"));
  auto client = TcpClient::Connect(tcp[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  const std::string data = Pattern(0, 4 << 20, 7);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {client.get()}, data, &got, Deadline::Seconds(60)));
  EXPECT_EQ(Diff(got[0], data), "") << "the client must get every byte while the disk is full";
  EXPECT_GT(Counter("c", "log_errors"), 0u);
  EXPECT_GT(Counter("c", "log_dropped_bytes"), 0u);
  EXPECT_TRUE(daemon_.WaitForLog("No space left on device", Deadline::Seconds(10)));
  const std::string log = mnt + "/c.log";
  const std::string head = ReadFile(log);
  EXPECT_GT(head.size(), 64u * 1024) << "the file filled the disk";
  // Up to the first marker (the 16 KiB ring laps the logger at a pty's
  // full speed, and then the disk is full), the file is the device's bytes;
  // a marker is preceded by a newline if it came mid-line.
  size_t exact = head.find("--- ttyhub: ");
  if (exact == std::string::npos) exact = head.size();
  if (exact < head.size() && exact > 0) --exact;
  EXPECT_GT(exact, 4096u);
  EXPECT_EQ(Diff(head.substr(0, exact), data.substr(0, exact)), "")
      << "what was written is the device's bytes";

  // Space comes back: logging resumes by itself, with a marker. (What
  // waits to be logged, at most the logger's two 128 KiB buffers and the 16 KiB
  // ring, fits in the space freed.)
  ASSERT_EQ(truncate(log.c_str(), 0), 0);
  ASSERT_TRUE(pty.WriteAll("back on disk\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(ReadFile(log), "back on disk\r\n"); }))
      << ReadFile(log).substr(0, 500);
  const std::string after = ReadFile(log);
  EXPECT_TRUE(absl::StrContains(after, "bytes not logged (write failed: No space left on device)"))
      << after.substr(0, 300);
}

TEST_F(ConsoleLogTest, ASlowDiskLapsTheLoggerNotThePort) {
  // The log is a FIFO that nobody reads: every write waits, as on a hung disk.
  const std::string fifo = dir_.File("slow.log");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat("  - name: c\n    device: ", dir_.File("dev"), "\n    log: {path: ", fifo,
                     ", timestamps: false}\n    buffer: 64KiB\n    listen: [{port: \"127.0.0.1:",
                     tcp[0], "\"}]\n"));
  auto client = TcpClient::Connect(tcp[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  const std::string data = Pattern(0, 4 << 20, 9);
  std::vector<std::string> got;
  ASSERT_TRUE(StreamToReaders(pty, {client.get()}, data, &got, Deadline::Seconds(60)))
      << "the port must not wait for its log";
  EXPECT_EQ(Diff(got[0], data), "");
  EXPECT_GT(Counter("c", "log_dropped_bytes"), 0u);
  // Once the disk moves again, the log says what it missed.
  std::string text;
  const Deadline deadline = Deadline::Seconds(20);
  while (!absl::StrContains(text, "bytes not logged (disk too slow) ---\n") &&
         !deadline.Expired()) {
    char buf[65536];
    const ssize_t n = read(reader, buf, sizeof(buf));
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
    } else {
      poll(nullptr, 0, deadline.PollMs(20));
    }
  }
  close(reader);
  EXPECT_TRUE(absl::StrContains(text, "bytes not logged (disk too slow) ---\n"))
      << text.size() << " bytes read from the FIFO";
}

}  // namespace
}  // namespace ttyhub::testing

namespace ttyhub::testing {
namespace {

// Issue 10, section 2: history is taken from the log file where the ring
// holds less. After a restart the ring is empty; the port fills it from
// the end of its log, and a new client gets that history, then live data,
// with no gap and no duplicate byte at the seam.
TEST_F(ConsoleLogTest, HistorySurvivesARestartThroughTheLogFile) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  const std::string ports = absl::StrCat(
      "  - name: c\n    device: ", dir_.File("dev"), "\n    log: {path: ", dir_.File("logs/%n.log"),
      "}\n    listen: [{port: \"127.0.0.1:", tcp[0], "\", history: 4KiB}]\n");
  Start(ports);
  const std::string before = Pattern(0, 8192, 3);
  ASSERT_TRUE(pty.WriteAll(before, Deadline::Seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return Counter("c", "device_rx_bytes") == before.size(); }));
  ASSERT_EQ(daemon_.Stop(SIGTERM, Deadline::Seconds(20)), 0);

  Start(ports);
  ASSERT_TRUE(daemon_.WaitForLog("port c: history: 4096 bytes from the end of its console log",
                                 Deadline::Seconds(10)));
  auto client = TcpClient::Connect(tcp[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, 4096, Deadline::Seconds(10)));
  EXPECT_EQ(Diff(got, before.substr(before.size() - 4096)), "")
      << "the history is the log's last 4 KiB";
  const std::string live = Pattern(8192, 4096, 3);
  ASSERT_TRUE(pty.WriteAll(live, Deadline::Seconds(10)));
  std::string rest;
  ASSERT_TRUE(client->ReadExactly(&rest, live.size(), Deadline::Seconds(10)));
  EXPECT_EQ(Diff(rest, live), "") << "live data follows the history with no gap and no duplicate";
  // What came back from the file is not logged a second time.
  // (Its last partial line is written after the quiet second.)
  std::string device;
  WaitFor([&] {
    device.clear();
    SplitLog(ReadFile(dir_.File("logs/c.log")), &device, nullptr);
    return device.size() >= before.size() + live.size();
  });
  EXPECT_EQ(Diff(device, before + live), "");
}

// `rotate: {daily: true}` rotates at local midnight. The daemon runs in a
// time zone (POSIX TZ with a seconds offset) whose midnight is 10 s away,
// so the test sees a real midnight pass.
TEST_F(ConsoleLogTest, DailyRotationHappensAtLocalMidnight) {
  const time_t now = time(nullptr);
  const time_t midnight = now + 10;  // local midnight, in Unix seconds
  // Local time = UTC - offset: choose the offset that puts `midnight` at 00:00:00.
  const long offset = ((static_cast<long>(midnight % 86400)) + 86400) % 86400;
  const std::string tz =
      absl::StrFormat("TST%02ld:%02ld:%02ld", offset / 3600, offset / 60 % 60, offset % 60);
  ASSERT_EQ(setenv("TZ", tz.c_str(), 1), 0);
  struct RestoreTz {
    ~RestoreTz() { unsetenv("TZ"); }
  } restore;
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat(
      "  - name: c\n    device: ", dir_.File("dev"), "\n    log: {path: ", dir_.File("logs/%n.log"),
      ", timestamps: false, rotate: {daily: true}}\n    listen: [{port: \"127.0.0.1:", tcp[0],
      "\"}]\n"));
  const std::string base = dir_.File("logs/c.log");
  ASSERT_TRUE(pty.WriteAll("before midnight\n", Deadline::Seconds(5)));
  ASSERT_TRUE(WaitFor([&] { return ReadFile(base) == "before midnight\n"; }, 5));
  ASSERT_LT(time(nullptr), midnight) << "too slow to log before the chosen midnight";
  EXPECT_FALSE(Exists(base + ".1"));
  ASSERT_TRUE(WaitFor([&] { return time(nullptr) > midnight; }, 20));
  ASSERT_TRUE(pty.WriteAll("after midnight\n", Deadline::Seconds(5)));
  ASSERT_TRUE(WaitFor([&] { return ReadFile(base) == "after midnight\n"; }))
      << "the first line after midnight starts a new file: " << ReadFile(base);
  EXPECT_EQ(ReadFile(base + ".1"), "before midnight\n");
}

// History larger than the ring (`buffer: 16KiB`, `history: 48KiB`) while
// ttyhub runs: the ring's part is preceded by what the log files hold
// before the ring's oldest byte, across a rotation, with no gap and no
// duplicate at either seam.
TEST_F(ConsoleLogTest, HistoryLargerThanTheRingComesFromTheLogWhileRunning) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat("  - name: c\n    device: ", dir_.File("dev"),
                     "\n    buffer: 16KiB\n    log: {path: ", dir_.File("logs/%n.log"),
                     ", rotate: {size: 32KiB, keep: 4}}\n    listen: [{port: \"127.0.0.1:", tcp[0],
                     "\", history: 48KiB}]\n"));
  // 96 KiB in 8 KiB pieces, each logged before the next (so the 16 KiB
  // ring never laps the logger and the files hold every byte).
  const std::string data = Pattern(0, 96 * 1024, 9);
  for (size_t at = 0; at < data.size(); at += 8192) {
    ASSERT_TRUE(pty.WriteAll(data.substr(at, 8192), Deadline::Seconds(10)));
    ASSERT_TRUE(WaitFor([&] { return Counter("c", "log_written_bytes") + 4096 >= at + 8192; }));
  }
  const std::string base = dir_.File("logs/c.log");
  ASSERT_TRUE(WaitFor([&] {
    std::string device;
    for (const char* suffix : {".4", ".3", ".2", ".1", ""}) {
      if (Exists(base + suffix)) SplitLog(ReadFile(base + suffix), &device, nullptr);
    }
    return device == data;
  })) << "the log files hold the device's bytes";
  ASSERT_TRUE(Exists(base + ".1")) << "the history crosses a rotation";
  EXPECT_EQ(Counter("c", "log_dropped_bytes"), 0u);

  auto client = TcpClient::Connect(tcp[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  std::string got;
  ASSERT_TRUE(client->ReadExactly(&got, 48 * 1024, Deadline::Seconds(10)));
  EXPECT_EQ(Diff(got, data.substr(data.size() - 48 * 1024)), "")
      << "the last 48 KiB: 32 KiB from the log files, then the ring's 16 KiB";
  const std::string live = Pattern(data.size(), 4096, 9);
  ASSERT_TRUE(pty.WriteAll(live, Deadline::Seconds(10)));
  std::string rest;
  ASSERT_TRUE(client->ReadExactly(&rest, live.size(), Deadline::Seconds(10)));
  EXPECT_EQ(Diff(rest, live), "") << "live data follows with no gap and no duplicate";
}

// The same for a line count on a telnet listener: the log's part is
// escaped as the ring's is (0xFF doubled, a bare CR followed by NUL), and
// the markers count every byte of the history.
TEST_F(ConsoleLogTest, HistoryInLinesFromTheLogReachesTelnetClientsEscaped) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat("  - name: c\n    device: ", dir_.File("dev"),
                     "\n    buffer: 16KiB\n    log: {path: ", dir_.File("logs/%n.log"),
                     "}\n    listen: [{port: \"127.0.0.1:", tcp[0],
                     "\", protocol: telnet, history: 2000 lines}]\n"));
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) lines.push_back(absl::StrCat("line ", i, " \xff\rx\r\n"));
  // In pieces of 500 lines (about 9 KB), each logged before the next (so
  // the 16 KiB ring never laps the logger).
  std::string data;
  size_t sent = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    data += lines[i];
    if (i % 500 != 499) continue;
    ASSERT_TRUE(pty.WriteAll(data.substr(sent), Deadline::Seconds(10)));
    sent = data.size();
    ASSERT_TRUE(WaitFor([&] { return Counter("c", "log_written_bytes") >= data.size(); }));
  }
  ASSERT_TRUE(WaitFor([&] {
    std::string device;
    SplitLog(ReadFile(dir_.File("logs/c.log")), &device, nullptr);
    return device == data;
  })) << "the log holds the device's bytes";
  std::string want;
  for (size_t i = lines.size() - 2000; i < lines.size(); ++i) want += lines[i];
  ASSERT_GT(want.size(), 16u * 1024) << "more than the ring holds";

  auto client = TcpClient::Connect(tcp[0], Deadline::Seconds(10));
  ASSERT_TRUE(client);
  std::string wire;
  ASSERT_TRUE(client->ReadUntil(&wire, "live from here ---\r\n", Deadline::Seconds(10)));
  const std::string got = TelnetData(wire);
  const std::string before = absl::StrCat("history, the last ", want.size(), " bytes ---\r\n");
  const size_t start = got.find(before);
  const size_t end = got.find("\r\n--- ttyhub: end of history");
  ASSERT_NE(start, std::string::npos) << got.substr(0, 200);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(Diff(got.substr(start + before.size(), end - start - before.size()), want), "");
}

}  // namespace
}  // namespace ttyhub::testing

namespace ttyhub::testing {
namespace {

// Found by the logging benchmark: a partial line flushed after the quiet
// second did not fit the file, the log rotated, and the rest of that line
// got a timestamp of its own in the new file ("<ts> login: <ts> root").
// A rotation never splits a line: every line in every file starts with one
// timestamp, and the files, oldest first, give back the device's bytes.
TEST_F(ConsoleLogTest, RotationNeverSplitsALineOrStampsItTwice) {
  TestPty pty;
  pty.LinkAs(dir_.File("dev"));
  const auto tcp = FreeTcpPorts(1);
  Start(absl::StrCat(
      "  - name: c\n    device: ", dir_.File("dev"), "\n    log: {path: ", dir_.File("logs/%n.log"),
      ", rotate: {size: 4KiB, keep: 3}}\n", "    listen: [{port: \"127.0.0.1:", tcp[0], "\"}]\n"));
  const std::string big = std::string(4064, 'x') + "\n";  // 4090 bytes with its timestamp
  ASSERT_TRUE(pty.WriteAll(big, Deadline::Seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return Counter("c", "log_written_bytes") >= 4090; }));
  ASSERT_TRUE(pty.WriteAll("login: ", Deadline::Seconds(10)));
  // The prompt is written after the quiet second (and does not fit).
  ASSERT_TRUE(WaitFor([&] { return Counter("c", "log_written_bytes") >= 4090 + 25 + 7; }));
  ASSERT_TRUE(pty.WriteAll("root\n", Deadline::Seconds(10)));
  const std::string device = big + "login: root\n";
  std::string all;
  ASSERT_TRUE(WaitFor([&] {
    all.clear();
    for (const char* f : {"logs/c.log.3", "logs/c.log.2", "logs/c.log.1", "logs/c.log"}) {
      all += ReadFile(dir_.File(f));
    }
    return absl::EndsWith(all, "root\n");
  }));
  for (const char* f : {"logs/c.log.1", "logs/c.log"}) {
    const std::string text = ReadFile(dir_.File(f));
    if (text.empty()) continue;
    EXPECT_TRUE(text.back() == '\n') << f << " ends mid-line";
  }
  std::string back;
  SplitLog(all, &back, nullptr);
  EXPECT_EQ(Diff(back, device), "");
  EXPECT_FALSE(absl::StrContains(back, "Z ")) << "a timestamp inside a line: " << back.substr(4060);
}

}  // namespace
}  // namespace ttyhub::testing
