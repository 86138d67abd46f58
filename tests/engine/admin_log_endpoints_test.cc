// The log endpoints' answers (PortLogResponse, GrepResponse) built from port
// snapshots over real files, their bodies drained as the admin server would:
// lines/since/after, follow across a rotation, limits, and error statuses.
#include "engine/admin_log_endpoints.h"

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// 2026-12-01T09:00:00Z, the tests' "now" is an hour later.
constexpr int64_t kT0 = 1796115600000;
const Clock::time_point kNow = Clock::time_point(std::chrono::milliseconds(kT0 + 3600'000));

std::string Stamp(int64_t unix_ms) {
  const time_t s = static_cast<time_t>(unix_ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         static_cast<int>(unix_ms % 1000));
}

class LogEndpointsTest : public ::testing::Test {
 protected:
  LogEndpointsTest() {
    char tmpl[] = "/tmp/admin_log_endpoints_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~LogEndpointsTest() override { std::filesystem::remove_all(dir_); }

  std::string File(const std::string& name) const { return dir_ + "/" + name; }
  static void Write(const std::string& path, const std::string& data, bool append = false) {
    std::ofstream f(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
  }

  PortSnapshot Port(const std::string& name, bool timestamps = true, uint32_t keep = 3) const {
    PortSnapshot p;
    p.name = name;
    p.log_enabled = true;
    p.log_path = File(name + ".log");
    p.log_timestamps = timestamps;
    p.log_keep = keep;
    return p;
  }

  // The body, drained as the server would; counts the calls that gave nothing yet.
  static std::string Drain(const AdminResponse& r, int* empty_reads = nullptr) {
    if (r.stream == nullptr) return r.body;
    std::string out;
    char buf[4096];
    int empty = 0;
    for (;;) {
      const int64_t n = r.stream->Read(buf, sizeof(buf));
      if (n == AdminBodyStream::kEnd) break;
      if (n < 0) {
        ADD_FAILURE() << "stream failed";
        break;
      }
      if (n == 0) {
        ++empty;
        continue;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    if (r.stream->size()) {
      EXPECT_EQ(out.size(), *r.stream->size());
    }
    if (empty_reads != nullptr) *empty_reads = empty;
    return out;
  }

  static std::string Header(const AdminResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  // GET .../log with `query`; the body, and the response in *out.
  std::string Log(const PortSnapshot& port, const QueryArgs& query, AdminResponse* out = nullptr,
                  const LogLimits& limits = LogLimits()) {
    absl::StatusOr<AdminResponse> r = PortLogResponse(port, query, kNow, limits);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->content_type, "text/plain");
    EXPECT_EQ(Header(*r, "X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(Header(*r, "X-Ttyhub-Log-Cursor").empty());
    const std::string body = Drain(*r);
    if (out != nullptr) *out = *std::move(r);
    return body;
  }

  // Grep: the match records, and the final {"end": ...} in *end.
  std::vector<nlohmann::json> Grep(const std::vector<PortSnapshot>& ports, const QueryArgs& query,
                                   nlohmann::json* end, const LogLimits& limits = LogLimits(),
                                   int* empty_reads = nullptr) {
    absl::StatusOr<AdminResponse> r = GrepResponse(ports, query, kNow, limits);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->content_type, "application/x-ndjson");
    const std::string body = Drain(*r, empty_reads);
    EXPECT_TRUE(body.empty() || body.back() == '\n');
    std::vector<nlohmann::json> records;
    for (absl::string_view line : absl::StrSplit(body, '\n', absl::SkipEmpty())) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
      records.push_back(std::move(j));
    }
    EXPECT_FALSE(records.empty());
    if (records.empty()) return {};
    EXPECT_TRUE(records.back().contains("end")) << body;
    *end = records.back()["end"];
    records.pop_back();
    return records;
  }

  std::string dir_;
};

TEST_F(LogEndpointsTest, LinesFromTheEndAcrossRotatedFiles) {
  const PortSnapshot p = Port("p1");
  Write(p.log_path + ".1", Stamp(kT0) + "one\r\n" + Stamp(kT0 + 1) + "two\r\n");
  Write(p.log_path, Stamp(kT0 + 2) + "three\r\n" + Stamp(kT0 + 3) + "prompt> ");
  EXPECT_EQ(Log(p, {{"lines", "1"}}), Stamp(kT0 + 3) + "prompt> ");
  EXPECT_EQ(Log(p, {{"lines", "3"}}), Stamp(kT0 + 1) + "two\r\n" + Stamp(kT0 + 2) + "three\r\n" +
                                          Stamp(kT0 + 3) + "prompt> ");
  EXPECT_EQ(Log(p, {{"lines", "0"}}), "");
  AdminResponse r;
  const std::string all = Log(p, {}, &r);  // no lines: everything, within the limits
  EXPECT_EQ(all, Stamp(kT0) + "one\r\n" + Stamp(kT0 + 1) + "two\r\n" + Stamp(kT0 + 2) +
                     "three\r\n" + Stamp(kT0 + 3) + "prompt> ");
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Truncated"), "");
  EXPECT_EQ(Log(p, {{"lines", "1000"}}), all);  // more than there are
}

TEST_F(LogEndpointsTest, LimitsKeepTheNewestAndSaySo) {
  const PortSnapshot p = Port("p1", /*timestamps=*/false);
  std::string text;
  for (int i = 0; i < 100; ++i) absl::StrAppend(&text, "line ", 100 + i, "\n");  // 9 bytes
  Write(p.log_path, text);
  LogLimits limits;
  limits.max_lines = 10;
  AdminResponse r;
  EXPECT_EQ(Log(p, {}, &r, limits), text.substr(text.size() - 90));
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Truncated"), "older");
  EXPECT_EQ(Log(p, {{"lines", "5"}}, &r, limits), text.substr(text.size() - 45));
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Truncated"), "");  // 5 asked, 5 given
  auto too_many = PortLogResponse(p, {{"lines", "11"}}, kNow, limits);
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(), HasSubstr("from 0 to 10"));
  limits.max_lines = 1000;
  limits.max_bytes = 50;
  EXPECT_EQ(Log(p, {{"lines", "20"}}, &r, limits), text.substr(text.size() - 45));
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Truncated"), "older");
}

TEST_F(LogEndpointsTest, SinceSelectsByTimestamp) {
  const PortSnapshot p = Port("p1");
  std::string text;
  // One line a minute for an hour, ending at kNow - 1 min.
  for (int m = 0; m < 60; ++m) absl::StrAppend(&text, Stamp(kT0 + m * 60'000), "minute ", m, "\n");
  Write(p.log_path, text);
  const auto from = [&](int m) { return text.substr(text.find(Stamp(kT0 + m * 60'000))); };
  EXPECT_EQ(Log(p, {{"since", "10m"}}), from(50));
  EXPECT_EQ(Log(p, {{"since", "90s"}}), from(59));
  EXPECT_EQ(Log(p, {{"since", "600"}}), from(50));  // plain seconds
  EXPECT_EQ(Log(p, {{"since", "2h"}}), text);
  EXPECT_EQ(Log(p, {{"since", "0"}}), "");
  EXPECT_EQ(Log(p, {{"since", "2026-12-01T09:30:00Z"}}), from(30));
  EXPECT_EQ(Log(p, {{"since", "2026-12-01T10:29:30+01:00"}}), from(30));
  // since and lines: the last N of those.
  EXPECT_EQ(Log(p, {{"since", "10m"}, {"lines", "2"}}), from(58));
  AdminResponse r;
  LogLimits limits;
  limits.max_lines = 3;
  EXPECT_EQ(Log(p, {{"since", "10m"}}, &r, limits), from(57));
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Truncated"), "older");
  EXPECT_EQ(Log(p, {{"since", "2m"}}, &r, limits), from(58));
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Truncated"), "");
}

TEST_F(LogEndpointsTest, ErrorsSayWhatIsWrong) {
  const PortSnapshot p = Port("p1", /*timestamps=*/false);
  Write(p.log_path, "raw device bytes\n");
  auto code = [&](const PortSnapshot& port, const QueryArgs& q) {
    return PortLogResponse(port, q, kNow).status();
  };
  absl::Status s = code(p, {{"since", "10m"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "port p1's log has no timestamps (log: {timestamps: false}), so since cannot select "
            "its lines; use lines instead");
  EXPECT_EQ(Log(p, {{"lines", "1"}}), "raw device bytes\n");  // lines still work
  PortSnapshot off;
  off.name = "quiet";
  s = code(off, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("port quiet does not log its console"));
  for (const char* bad : {"-1", "abc", "1.5", "", "100001"}) {
    s = code(p, {{"lines", bad}});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("lines: must be a whole number")) << bad;
  }
  s = code(Port("p2"), {{"since", "yesterday"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("since: 'yesterday' is neither a duration"));
  s = code(p, {{"path", "/etc/passwd"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "unknown query parameter 'path' (this endpoint takes lines, since, after)");
  s = code(p, {{"after", "1-2-3"}, {"lines", "5"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = code(p, {{"after", "../../etc/passwd"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("after: not a cursor"));
}

TEST_F(LogEndpointsTest, NoFileYetIsAnEmptyLogThatCanBeFollowed) {
  const PortSnapshot p = Port("p1");
  AdminResponse r;
  EXPECT_EQ(Log(p, {}, &r), "");
  const std::string cursor = Header(r, "X-Ttyhub-Log-Cursor");
  EXPECT_EQ(cursor, "0-0-0");
  Write(p.log_path, Stamp(kT0) + "first\n");
  EXPECT_EQ(Log(p, {{"after", cursor}}, &r), Stamp(kT0) + "first\n");
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Gap"), "");
}

// What `ttyhubctl log --follow` does: poll with the last cursor, through a
// rotation, and get every byte exactly once.
TEST_F(LogEndpointsTest, FollowingGetsEveryByteOnceThroughARotation) {
  const PortSnapshot p = Port("p1", /*timestamps=*/false, /*keep=*/2);
  std::string expected = "before\n";
  Write(p.log_path, expected);
  AdminResponse r;
  std::string got = Log(p, {{"lines", "10"}}, &r);
  std::string cursor = Header(r, "X-Ttyhub-Log-Cursor");
  auto poll = [&] {
    got += Log(p, {{"after", cursor}}, &r);
    cursor = Header(r, "X-Ttyhub-Log-Cursor");
    EXPECT_EQ(Header(r, "X-Ttyhub-Log-Gap"), "");
  };
  poll();  // nothing new
  EXPECT_EQ(got, expected);
  Write(p.log_path, "a partial li", /*append=*/true);
  expected += "a partial li";
  poll();
  EXPECT_EQ(got, expected);
  Write(p.log_path, "ne\nend of file one\n", true);
  ASSERT_EQ(std::rename(p.log_path.c_str(), (p.log_path + ".1").c_str()), 0);
  Write(p.log_path, "file two\n");
  expected += "ne\nend of file one\nfile two\n";
  poll();
  EXPECT_EQ(got, expected);
  // Two rotations between polls: .1 became .2, still within keep.
  Write(p.log_path, "more two\n", true);
  ASSERT_EQ(std::rename((p.log_path + ".1").c_str(), (p.log_path + ".2").c_str()), 0);
  ASSERT_EQ(std::rename(p.log_path.c_str(), (p.log_path + ".1").c_str()), 0);
  Write(p.log_path, "file three\n");
  expected += "more two\nfile three\n";
  poll();
  EXPECT_EQ(got, expected);
}

TEST_F(LogEndpointsTest, FollowingInPiecesWhenMoreThanOneAnswerHolds) {
  const PortSnapshot p = Port("p1", false);
  Write(p.log_path, "");
  AdminResponse r;
  Log(p, {}, &r);
  std::string cursor = Header(r, "X-Ttyhub-Log-Cursor");
  std::string text;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&text, "line ", i, "\n");
  Write(p.log_path, text);
  LogLimits limits;
  limits.max_bytes = 1000;
  std::string got;
  int answers = 0;
  for (;; ++answers) {
    ASSERT_LT(answers, 100);
    got += Log(p, {{"after", cursor}}, &r, limits);
    cursor = Header(r, "X-Ttyhub-Log-Cursor");
    if (Header(r, "X-Ttyhub-Log-Truncated") != "newer") break;
  }
  EXPECT_EQ(got, text);
  EXPECT_GE(answers, static_cast<int>(text.size() / 1000));
}

TEST_F(LogEndpointsTest, AGoneCursorRestartsAtTheCurrentFileAndSaysSo) {
  const PortSnapshot p = Port("p1", false, /*keep=*/1);
  Write(p.log_path, "old\n");
  AdminResponse r;
  Log(p, {}, &r);
  const std::string cursor = Header(r, "X-Ttyhub-Log-Cursor");
  // Rotated twice with keep 1: the cursor's file is deleted.
  ASSERT_EQ(std::rename(p.log_path.c_str(), (p.log_path + ".1").c_str()), 0);
  std::filesystem::remove(p.log_path + ".1");
  Write(p.log_path + ".1", "middle\n");  // its successor (which may reuse its inode)
  Write(p.log_path, "newest\n");
  EXPECT_EQ(Log(p, {{"after", cursor}}, &r), "newest\n");
  EXPECT_EQ(Header(r, "X-Ttyhub-Log-Gap"), "1");
}

TEST_F(LogEndpointsTest, GrepGivesValidJsonForAnyBytes) {
  PortSnapshot a = Port("a");
  PortSnapshot b = Port("b", /*timestamps=*/false);
  PortSnapshot quiet;
  quiet.name = "quiet";  // does not log: not searched
  Write(a.log_path, Stamp(kT0) + "boot ok\r\n" + Stamp(kT0 + 5) +
                        "\x1b[31mKernel panic\xff\xfe\r\n" + Stamp(kT0 + 9) + "fine\n");
  Write(b.log_path, std::string("panic\x00 \"quoted\" \\ \t\n", 20) + "no\n");
  nlohmann::json end;
  const auto matches = Grep({a, quiet, b}, {{"re", "panic"}}, &end);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0]["port"], "a");
  EXPECT_EQ(matches[0]["time"], "2026-12-01T09:00:00.005Z");
  // ESC stays (escaped in the JSON text); invalid UTF-8 becomes U+FFFD.
  EXPECT_EQ(matches[0]["line"], "\x1b[31mKernel panic\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(matches[1]["port"], "b");
  EXPECT_TRUE(matches[1]["time"].is_null());
  EXPECT_EQ(matches[1]["line"], std::string("panic\x00 \"quoted\" \\ \t", 19));
  EXPECT_EQ(end["matches"], 2);
  EXPECT_EQ(end["searched"], nlohmann::json({"a", "b"}));
  EXPECT_TRUE(end["truncated"].is_null());
  EXPECT_TRUE(end["errors"].empty());

  // ports= picks and orders; since= skips logs without timestamps.
  EXPECT_EQ(Grep({a, b}, {{"re", "panic"}, {"ports", "b,a,b"}}, &end).size(), 2u);
  EXPECT_EQ(end["searched"], nlohmann::json({"b", "a"}));
  EXPECT_EQ(
      Grep({a, b}, {{"re", "panic|boot"}, {"since", "2026-12-01T09:00:00.004Z"}}, &end).size(), 1u);
  EXPECT_EQ(end["searched"], nlohmann::json({"a"}));
  EXPECT_EQ(end["skipped"][0]["port"], "b");
}

TEST_F(LogEndpointsTest, GrepErrors) {
  PortSnapshot a = Port("a");
  PortSnapshot b = Port("b", false);
  PortSnapshot quiet;
  quiet.name = "quiet";
  auto status = [&](const QueryArgs& q) { return GrepResponse({a, b, quiet}, q, kNow).status(); };
  EXPECT_EQ(status({}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status({{"re", "(x"}}).message(), HasSubstr("re: is not a valid RE2"));
  EXPECT_EQ(status({{"re", "x"}, {"ports", "a,nope"}}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status({{"re", "x"}, {"ports", "a,nope"}}).message(), "no port named 'nope'");
  EXPECT_EQ(status({{"re", "x"}, {"ports", "quiet"}}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status({{"re", "x"}, {"ports", "b"}, {"since", "1h"}}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status({{"re", "x"}, {"ports", ","}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status({{"re", "x"}, {"lines", "3"}}).code(), absl::StatusCode::kInvalidArgument);
  // A log that cannot be read is reported in the totals, the rest searched.
  std::filesystem::create_directory(a.log_path);
  Write(b.log_path, "x marks\n");
  nlohmann::json end;
  EXPECT_EQ(Grep({a, b}, {{"re", "x"}}, &end).size(), 1u);
  EXPECT_EQ(end["errors"][0]["port"], "a");
  EXPECT_THAT(end["errors"][0]["error"].get<std::string>(), HasSubstr("not a regular file"));
}

TEST_F(LogEndpointsTest, GrepStopsAtItsLimitsAndSaysWhich) {
  PortSnapshot a = Port("a", false);
  PortSnapshot b = Port("b", false);
  std::string text;
  for (int i = 0; i < 20000; ++i)
    absl::StrAppend(&text, "line ", i, i % 100 == 0 ? " hit" : "", "\n");
  Write(a.log_path, text);
  Write(b.log_path, text);
  nlohmann::json end;
  EXPECT_EQ(Grep({a, b}, {{"re", "hit"}}, &end).size(), 400u);
  EXPECT_TRUE(end["truncated"].is_null());
  EXPECT_EQ(end["read_bytes"], 2 * text.size());

  LogLimits limits;
  limits.max_matches = 250;
  EXPECT_EQ(Grep({a, b}, {{"re", "hit"}}, &end, limits).size(), 250u);
  EXPECT_EQ(end["truncated"], "max_matches");
  EXPECT_EQ(end["matches"], 250);

  limits = LogLimits();
  limits.max_grep_read = text.size() + 1000;
  const auto partial = Grep({a, b}, {{"re", "hit"}}, &end, limits);
  EXPECT_EQ(end["truncated"], "max_read_bytes");
  EXPECT_GE(partial.size(), 200u);
  EXPECT_LT(partial.size(), 210u);

  limits = LogLimits();
  limits.max_bytes = 2000;
  const auto small = Grep({a, b}, {{"re", "hit"}}, &end, limits);
  EXPECT_EQ(end["truncated"], "max_output_bytes");
  EXPECT_LT(small.size(), 60u);

  // Without matches for a while, a step ends with nothing to send yet (so
  // the server thread can serve others) and the search goes on.
  limits = LogLimits();
  limits.grep_step = 16 * 1024;
  limits.max_grep_line = 1024;  // reads of about 64 KiB: 3 or more per log
  int empty_reads = 0;
  EXPECT_EQ(Grep({a, b}, {{"re", "^line 19999$"}}, &end, limits, &empty_reads).size(), 2u);
  EXPECT_GE(empty_reads, 5);
}

TEST(ParseSinceTest, DurationsAndTimes) {
  EXPECT_EQ(*ParseSince("10m", kNow), kT0 + 3000'000);
  EXPECT_EQ(*ParseSince("1h", kNow), kT0);
  EXPECT_EQ(*ParseSince("2026-12-01T09:00:00Z", kNow), kT0);
  EXPECT_EQ(*ParseSince("2026-12-01T09:00:00.250Z", kNow), kT0 + 250);
  EXPECT_EQ(*ParseSince("2026-12-01T10:00:00+01:00", kNow), kT0);
  for (const char* bad : {"", "10x", "-5m", "2026-12-01", "tomorrow"}) {
    EXPECT_FALSE(ParseSince(bad, kNow).ok()) << bad;
  }
}

}  // namespace
}  // namespace ttyhub
