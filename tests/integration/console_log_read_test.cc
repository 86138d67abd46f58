// Reading console logs back (issue 10, section 3), end to end: the daemon
// writes each port's log from real ptys; the tests read it through the admin
// API (curl) and ttyhubctl: log with lines/since, follow through rotations,
// grep across ports, logs reopen with its token and cross-site rules, and the
// errors for ports that cannot answer.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"

namespace ttyhub::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr size_t kStampBytes = 25;  // "2026-12-01T09:00:00.123Z "
constexpr char kToken[] = "0123456789abcdef-secret";

struct Http {
  int status = -1;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// The lines of a timestamped log without their timestamps; checks each has one.
std::vector<std::string> Unstamped(const std::string& log) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    if (line.size() < kStampBytes || line[4] != '-' || line[10] != 'T' || line[23] != 'Z') {
      ADD_FAILURE() << "not a timestamped line: " << line;
      continue;
    }
    line.remove_prefix(kStampBytes);
    lines.emplace_back(absl::StripSuffix(line, "\r"));
  }
  return lines;
}

// A program running in the background with its stdout and stderr in a pipe.
class Background {
 public:
  Background(const std::string& program, const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      std::vector<std::string> copy = args;
      std::vector<char*> argv;
      std::string prog = program;
      argv.push_back(prog.data());
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(prog.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_fd_ = fds[0];
    fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  }
  ~Background() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }
  // Reads output until `done(output)` or the deadline.
  bool ReadUntil(const std::function<bool(const std::string&)>& done, Deadline deadline) {
    while (!done(out_)) {
      if (deadline.Expired()) return false;
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, deadline.PollMs()) > 0) {
        char buf[4096];
        const ssize_t n = read(out_fd_, buf, sizeof(buf));
        if (n > 0) out_.append(buf, static_cast<size_t>(n));
        if (n == 0) return done(out_);
      }
    }
    return true;
  }
  // Sends `sig` and waits for the exit status (128+N if killed by N; -1 on timeout).
  int Stop(int sig, Deadline deadline) {
    kill(pid_, sig);
    while (!deadline.Expired()) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        ReadUntil([](const std::string&) { return false; }, Deadline(std::chrono::milliseconds(0)));
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      poll(nullptr, 0, deadline.PollMs(20));
    }
    return -1;
  }
  const std::string& output() const { return out_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool exited_ = false;
  std::string out_;
};

class ConsoleLogReadTest : public ::testing::Test {
 protected:
  // Ports: `c` (timestamped, rotating at 8 KiB, keeps 3), `raw` (no
  // timestamps), `quiet` (no log). `admin_extra` goes into the admin: map.
  void Start(const std::string& admin_extra = "") {
    pty_.LinkAs(dir_.File("dev_c"));
    raw_pty_.LinkAs(dir_.File("dev_raw"));
    const auto tcp = FreeTcpPorts(4);
    admin_port_ = tcp[3];
    ASSERT_TRUE(daemon_.Start(absl::StrCat(
        "admin: {listen: \"127.0.0.1:", admin_port_, "\"", admin_extra, "}\nports:\n",
        "  - name: c\n    device: ", dir_.File("dev_c"),
        "\n    log: {path: ", dir_.File("logs/%n.log"), ", rotate: {size: 8KiB, keep: 3}}\n",
        "    listen: [{port: \"127.0.0.1:", tcp[0], "\"}]\n", "  - name: raw\n    device: ",
        dir_.File("dev_raw"), "\n    log: {path: ", dir_.File("logs/%n.log"),
        ", timestamps: false}\n    listen: [{port: \"127.0.0.1:", tcp[1], "\"}]\n",
        "  - name: quiet\n    device: sim:echo\n    listen: [{port: \"127.0.0.1:", tcp[2],
        "\"}]\n")));
  }

  // curl; `query` values are URL-encoded by curl.
  Http Curl(const std::string& method, const std::string& path,
            const std::vector<std::pair<std::string, std::string>>& query = {},
            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"-s", "-S", "-i", "-g", "--max-time", "10"};
    if (!query.empty()) args.push_back("-G");
    for (const auto& [k, v] : query) {
      args.push_back("--data-urlencode");
      args.push_back(k + "=" + v);
    }
    args.push_back("-X");
    args.push_back(method);
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(absl::StrCat("http://127.0.0.1:", admin_port_, path));
    std::string out;
    Http r;
    if (RunProgram("curl", args, "", &out, Deadline::Seconds(20)) != 0) {
      ADD_FAILURE() << "curl failed: " << out;
      return r;
    }
    const size_t blank = out.find("\r\n\r\n");
    if (blank == std::string::npos) {
      ADD_FAILURE() << "no HTTP header in: " << out;
      return r;
    }
    const std::string head = out.substr(0, blank);
    std::vector<absl::string_view> lines = absl::StrSplit(head, "\r\n");
    std::vector<absl::string_view> status_line = absl::StrSplit(lines[0], ' ');
    if (status_line.size() >= 2) (void)absl::SimpleAtoi(status_line[1], &r.status);
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      r.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    r.body = out.substr(blank + 4);
    return r;
  }
  Http Log(const std::string& port,
           const std::vector<std::pair<std::string, std::string>>& query = {}) {
    return Curl("GET", "/api/v1/ports/" + port + "/log", query);
  }
  static std::string ErrorOf(const Http& r) {
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : r.body;
  }

  int Ctl(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {"--url", absl::StrCat("http://127.0.0.1:", admin_port_)});
    return RunProgram(TTYHUBCTL_BINARY, args, "", out, Deadline::Seconds(30));
  }

  // Waits until the port's log, read through the API, ends with `suffix`.
  bool WaitForLogEnd(const std::string& port, const std::string& suffix, int seconds = 20) {
    const Deadline deadline = Deadline::Seconds(seconds);
    for (;;) {
      const Http r = Log(port, {{"lines", "1"}});
      if (r.status == 200 && absl::EndsWith(r.body, suffix)) return true;
      if (deadline.Expired()) {
        ADD_FAILURE() << "log of " << port << " does not end with " << suffix << ": " << r.body;
        return false;
      }
      poll(nullptr, 0, deadline.PollMs(50));
    }
  }

  TempDir dir_;
  TestPty pty_, raw_pty_;
  Daemon daemon_{dir_};
  uint16_t admin_port_ = 0;
};

TEST_F(ConsoleLogReadTest, LinesAndSinceThroughTheApiAndTtyhubctl) {
  Start();
  std::vector<std::string> written;
  std::string data;
  for (int i = 0; i < 400; ++i) {  // about 14 KB with timestamps: rotated once at 8 KiB
    written.push_back(absl::StrCat("console line ", i));
    absl::StrAppend(&data, written.back(), "\r\n");
  }
  ASSERT_TRUE(pty_.WriteAll(data, Deadline::Seconds(10)));
  ASSERT_TRUE(WaitForLogEnd("c", "console line 399\r\n"));
  struct stat st {};
  ASSERT_EQ(stat(dir_.File("logs/c.log.1").c_str(), &st), 0) << "the test needs a rotated file";

  Http r = Log("c", {{"lines", "3"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/plain");
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  EXPECT_FALSE(r.headers["x-ttyhub-log-cursor"].empty());
  EXPECT_THAT(Unstamped(r.body),
              ::testing::ElementsAre("console line 397", "console line 398", "console line 399"));
  // Every line, across the rotated file, in order; and the same by `since`.
  EXPECT_EQ(Unstamped(Log("c", {{"lines", "100000"}}).body), written);
  EXPECT_EQ(Unstamped(Log("c").body), written);
  EXPECT_EQ(Unstamped(Log("c", {{"since", "1h"}}).body), written);
  r = Log("c", {{"since", "2999-01-01T00:00:00Z"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  // A line's own timestamp selects from the first line stamped so (lines
  // read together share their millisecond), to the end.
  const std::string all = Log("c").body;
  const std::string stamp_of_200 =
      all.substr(all.find("console line 200\r") - kStampBytes, kStampBytes - 1);
  r = Log("c", {{"since", stamp_of_200}});
  EXPECT_TRUE(absl::StartsWith(r.body, stamp_of_200 + " ")) << r.body.substr(0, 100);
  const std::vector<std::string> from_200 = Unstamped(r.body);
  EXPECT_GE(from_200.size(), 200u);
  EXPECT_TRUE(std::equal(from_200.rbegin(), from_200.rend(), written.rbegin()));
  EXPECT_LT(all.find(stamp_of_200), all.find("console line 200\r"));

  std::string out;
  ASSERT_EQ(Ctl({"log", "c", "--lines", "2"}, &out), 0) << out;
  EXPECT_THAT(Unstamped(out), ::testing::ElementsAre("console line 398", "console line 399"));
  ASSERT_EQ(Ctl({"log", "c"}, &out), 0) << out;  // the default: the last 100 lines
  EXPECT_EQ(Unstamped(out).size(), 100u);
  ASSERT_EQ(Ctl({"log", "c", "--since", "1h"}, &out), 0) << out;
  EXPECT_EQ(Unstamped(out), written);
}

TEST_F(ConsoleLogReadTest, RawLogsAreByteExactAndRefuseSince) {
  Start();
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += "\r\nlast line, no newline";
  ASSERT_TRUE(raw_pty_.WriteAll(bytes, Deadline::Seconds(10)));
  ASSERT_TRUE(WaitForLogEnd("raw", "last line, no newline"));
  Http r = Log("raw", {{"lines", "1000"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, bytes) << "the log answer is the device's bytes, as they are";
  EXPECT_EQ(Log("raw", {{"lines", "1"}}).body, "last line, no newline");
  r = Log("raw", {{"since", "10m"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(ErrorOf(r), HasSubstr("port raw's log has no timestamps"));
  std::string out;
  EXPECT_EQ(Ctl({"log", "raw", "--since", "10m"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("has no timestamps (log: {timestamps: false}), so since cannot "
                             "select its lines; use lines instead (HTTP 409)"));
  ASSERT_EQ(Ctl({"log", "raw", "--lines", "1"}, &out), 0);
  EXPECT_EQ(out, "last line, no newline");
}

TEST_F(ConsoleLogReadTest, ErrorStatuses) {
  Start();
  Http r = Log("quiet");
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(ErrorOf(r), HasSubstr("port quiet does not log its console"));
  EXPECT_EQ(Log("nope").status, 404);
  EXPECT_EQ(Curl("GET", "/api/v1/ports/..%2f..%2fetc/log").status, 404);
  r = Log("c", {{"lines", "many"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(ErrorOf(r), HasSubstr("lines: must be a whole number"));
  r = Log("c", {{"file", "/etc/passwd"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(ErrorOf(r), HasSubstr("unknown query parameter 'file'"));
  EXPECT_EQ(Log("c", {{"after", "../x"}}).status, 400);
  EXPECT_EQ(
      Curl("POST", "/api/v1/ports/c/log", {}, {"-H", "Content-Type: application/json"}).status,
      405);
  r = Curl("GET", "/api/v1/grep", {{"re", "(unclosed"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(ErrorOf(r), HasSubstr("re: is not a valid RE2 regular expression"));
  EXPECT_EQ(Curl("GET", "/api/v1/grep", {{"re", "x"}, {"ports", "nope"}}).status, 404);
  // Request data that is not UTF-8 is echoed in errors without harm.
  r = Curl("GET", "/%ff%fe/x");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(nlohmann::json::parse(r.body, nullptr, false).is_discarded()) << r.body;
  EXPECT_EQ(Curl("GET", "/api/v1/grep", {{"re", "x"}, {"ports", "\xff"}}).status, 404);
  EXPECT_EQ(Curl("GET", "/healthz").status, 200) << "the daemon is still there";
  std::string out;
  EXPECT_EQ(Ctl({"log", "quiet"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("does not log its console"));
  EXPECT_EQ(Ctl({"grep", "(x"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("re: is not a valid RE2 regular expression"));
  EXPECT_EQ(Ctl({"logs", "frobnicate"}, &out), 2);
}

TEST_F(ConsoleLogReadTest, GrepSearchesEveryConsole) {
  Start();
  ASSERT_TRUE(pty_.WriteAll("booting\r\n\x1b[31mKernel panic - not syncing\x1b[0m\r\nok\r\n",
                            Deadline::Seconds(10)));
  ASSERT_TRUE(raw_pty_.WriteAll("raw: Kernel panic \xff\xfe\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(WaitForLogEnd("c", "ok\r\n"));
  ASSERT_TRUE(WaitForLogEnd("raw", "\xff\xfe\r\n"));

  Http r = Curl("GET", "/api/v1/grep", {{"re", "Kernel panic"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/x-ndjson");
  std::vector<nlohmann::json> records;
  for (absl::string_view line : absl::StrSplit(r.body, '\n', absl::SkipEmpty())) {
    records.push_back(nlohmann::json::parse(line, nullptr, false));
    ASSERT_FALSE(records.back().is_discarded()) << "not JSON: " << line;
  }
  ASSERT_EQ(records.size(), 3u) << r.body;
  EXPECT_EQ(records[0]["port"], "c");
  EXPECT_EQ(records[0]["line"], "\x1b[31mKernel panic - not syncing\x1b[0m");
  EXPECT_EQ(records[0]["time"].get<std::string>().size(), 24u);
  EXPECT_EQ(records[1]["port"], "raw");
  EXPECT_TRUE(records[1]["time"].is_null());
  EXPECT_EQ(records[1]["line"], "raw: Kernel panic \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(records[2]["end"]["matches"], 2);
  EXPECT_EQ(records[2]["end"]["searched"], nlohmann::json({"c", "raw"}));

  std::string out;
  ASSERT_EQ(Ctl({"grep", "Kernel panic"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(" \\x1b[31mKernel panic - not syncing\\x1b[0m\n"));
  EXPECT_THAT(out, HasSubstr("raw - raw: Kernel panic \xef\xbf\xbd\xef\xbf\xbd\n"));
  EXPECT_THAT(out, Not(HasSubstr("\x1b"))) << "no escape sequence reaches the terminal";
  ASSERT_EQ(Ctl({"grep", "panic", "--ports", "raw"}, &out), 0) << out;
  EXPECT_THAT(out, Not(HasSubstr("not syncing")));
  EXPECT_THAT(out, HasSubstr("raw - raw: Kernel panic"));
  // --since skips the log without timestamps, and says so.
  ASSERT_EQ(Ctl({"grep", "panic", "--since", "1h"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Kernel panic - not syncing"));
  EXPECT_THAT(out, HasSubstr("port raw not searched: its log has no timestamps"));
  ASSERT_EQ(Ctl({"--json", "grep", "^ok$"}, &out), 0) << out;
  std::vector<std::string> json_lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(json_lines.size(), 2u) << out;
  EXPECT_EQ(nlohmann::json::parse(json_lines[0])["line"], "ok");
  EXPECT_TRUE(nlohmann::json::parse(json_lines[1]).contains("end"));
}

// `ttyhubctl log --follow` prints every new line exactly once, across
// rotations, until Ctrl-C.
TEST_F(ConsoleLogReadTest, FollowThroughRotations) {
  Start();
  ASSERT_TRUE(pty_.WriteAll("line 0\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(WaitForLogEnd("c", "line 0\r\n"));
  Background follower(TTYHUBCTL_BINARY,
                      {"--url", absl::StrCat("http://127.0.0.1:", admin_port_), "log", "c",
                       "--lines", "1", "--follow", "--interval", "0.2"});
  ASSERT_TRUE(follower.ReadUntil(
      [](const std::string& out) { return absl::StrContains(out, "line 0\r\n"); },
      Deadline::Seconds(20)))
      << follower.output();
  // About 26 KB with timestamps: three rotations at 8 KiB, in bursts.
  constexpr int kLines = 800;
  for (int burst = 0; burst < 8; ++burst) {
    std::string data;
    for (int i = 1 + burst * kLines / 8; i <= (burst + 1) * kLines / 8; ++i) {
      absl::StrAppend(&data, "line ", i, "\r\n");
    }
    ASSERT_TRUE(pty_.WriteAll(data, Deadline::Seconds(10)));
    const std::string last = absl::StrCat("line ", (burst + 1) * kLines / 8, "\r\n");
    ASSERT_TRUE(
        follower.ReadUntil([&](const std::string& out) { return absl::StrContains(out, last); },
                           Deadline::Seconds(20)))
        << follower.output().substr(follower.output().size() > 500 ? follower.output().size() - 500
                                                                   : 0);
  }
  struct stat st {};
  EXPECT_EQ(stat(dir_.File("logs/c.log.3").c_str(), &st), 0) << "the log did rotate";
  EXPECT_EQ(follower.Stop(SIGINT, Deadline::Seconds(10)), 0);
  std::vector<std::string> expected;
  for (int i = 0; i <= kLines; ++i) expected.push_back(absl::StrCat("line ", i));
  EXPECT_EQ(Unstamped(follower.output()), expected) << "every line once, in order";
}

TEST_F(ConsoleLogReadTest, LogsReopenFollowsTheMutatingRules) {
  Start(absl::StrCat(", token: \"", kToken, "\""));
  ASSERT_TRUE(pty_.WriteAll("before the move\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(raw_pty_.WriteAll("raw\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(WaitForLogEnd("c", "before the move\r\n"));
  ASSERT_TRUE(WaitForLogEnd("raw", "raw\r\n"));
  const std::vector<std::string> json = {"-H", "Content-Type: application/json"};
  const std::vector<std::string> auth = {"-H", "Content-Type: application/json", "-H",
                                         absl::StrCat("Authorization: Bearer ", kToken)};
  EXPECT_EQ(Curl("GET", "/api/v1/logs/reopen").status, 405);
  EXPECT_EQ(Curl("POST", "/api/v1/logs/reopen", {}, json).status, 401);
  std::vector<std::string> foreign = auth;
  foreign.insert(foreign.end(), {"-H", "Origin: http://attacker.example"});
  EXPECT_EQ(Curl("POST", "/api/v1/logs/reopen", {}, foreign).status, 403);
  std::vector<std::string> form = {"-H", "Content-Type: text/plain", "-H",
                                   absl::StrCat("Authorization: Bearer ", kToken)};
  EXPECT_EQ(Curl("POST", "/api/v1/logs/reopen", {}, form).status, 415);

  // logrotate's way: move the file, then ask for a reopen.
  ASSERT_EQ(rename(dir_.File("logs/c.log").c_str(), dir_.File("logs/c.moved").c_str()), 0);
  const Http r = Curl("POST", "/api/v1/logs/reopen", {}, auth);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body, nullptr, false)["reopened"], 2);
  ASSERT_TRUE(daemon_.WaitForLog("admin API: reopened 2 console log files", Deadline::Seconds(10)));
  ASSERT_TRUE(pty_.WriteAll("after the move\r\n", Deadline::Seconds(10)));
  ASSERT_TRUE(WaitForLogEnd("c", "after the move\r\n"));
  EXPECT_THAT(Unstamped(Log("c").body), ::testing::ElementsAre("after the move"));

  std::string out;
  EXPECT_EQ(Ctl({"logs", "reopen"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("(HTTP 401)"));
  ASSERT_EQ(Ctl({"--token", kToken, "logs", "reopen"}, &out), 0) << out;
  EXPECT_EQ(out, "reopened 2 console log files\n");
  // Reads need no token here (token_required_for_reads is off).
  ASSERT_EQ(Ctl({"log", "c", "--lines", "1"}, &out), 0) << out;
}

}  // namespace
}  // namespace ttyhub::testing
