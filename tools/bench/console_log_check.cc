// See console_log_check.h.
#include "tools/bench/console_log_check.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tools/bench/pattern.h"

namespace ttyhub::bench {
namespace {

constexpr absl::string_view kMarkerStart = "--- ttyhub: ";
constexpr absl::string_view kMarkerEnd = " ---";
constexpr absl::string_view kNotLogged = " bytes not logged";
constexpr size_t kReadChunkBytes = 1 << 20;

bool Digits(const char* p, size_t n) {
  return std::all_of(p, p + n, [](char c) { return c >= '0' && c <= '9'; });
}

int Number(const char* p, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + (p[i] - '0');
  return v;
}

// Printable ASCII, other bytes as \xNN, at most `max` input bytes.
std::string Escaped(absl::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "\\x", absl::Hex(static_cast<uint8_t>(c), absl::kZeroPad2));
    }
  }
  return out;
}

}  // namespace

ConsoleLogParser::ConsoleLogParser(std::optional<uint64_t> seed) : seed_(seed) {
  if (seed) verifier_ = std::make_unique<StreamVerifier>(*seed, StreamVerifier::Start::kAnywhere);
}

ConsoleLogParser::~ConsoleLogParser() = default;

std::optional<int64_t> ConsoleLogParser::ParseStamp(const char* t, size_t n) {
  // 2026-12-01T09:00:00.123Z and a space.
  if (n < kStampBytes) return std::nullopt;
  if (!Digits(t, 4) || t[4] != '-' || !Digits(t + 5, 2) || t[7] != '-' || !Digits(t + 8, 2) ||
      t[10] != 'T' || !Digits(t + 11, 2) || t[13] != ':' || !Digits(t + 14, 2) || t[16] != ':' ||
      !Digits(t + 17, 2) || t[19] != '.' || !Digits(t + 20, 3) || t[23] != 'Z' || t[24] != ' ') {
    return std::nullopt;
  }
  struct tm tm {};
  tm.tm_year = Number(t, 4) - 1900;
  tm.tm_mon = Number(t + 5, 2) - 1;
  tm.tm_mday = Number(t + 8, 2);
  tm.tm_hour = Number(t + 11, 2);
  tm.tm_min = Number(t + 14, 2);
  tm.tm_sec = Number(t + 17, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&tm)) * 1000 + Number(t + 20, 3);
}

void ConsoleLogParser::BeginFile() {
  ++check_.files;
  // A line the last file ended in the middle of goes on in this one.
  if (state_ == State::kLineStart && head_.empty()) file_start_ = true;
}

void ConsoleLogParser::Feed(const uint8_t* data, size_t n) {
  check_.file_bytes += n;
  while (n > 0) {
    switch (state_) {
      case State::kLineStart: {
        const size_t want = kClassifyBytes - head_.size();
        const auto* nl = static_cast<const uint8_t*>(std::memchr(data, '\n', std::min(n, want)));
        const size_t take = nl != nullptr ? static_cast<size_t>(nl - data) + 1 : std::min(n, want);
        head_.append(reinterpret_cast<const char*>(data), take);
        data += take;
        n -= take;
        if (nl != nullptr || head_.size() == kClassifyBytes) Classify();
        break;
      }
      case State::kPayload: {
        const auto* nl = static_cast<const uint8_t*>(std::memchr(data, '\n', n));
        const size_t line = nl != nullptr ? static_cast<size_t>(nl - data) : n;
        FeedDevice(data, line);
        if (nl != nullptr) {
          newline_held_ = true;
          state_ = State::kLineStart;
        }
        const size_t used = nl != nullptr ? line + 1 : line;
        data += used;
        n -= used;
        break;
      }
      case State::kMarker: {
        const auto* nl = static_cast<const uint8_t*>(std::memchr(data, '\n', n));
        const size_t line = nl != nullptr ? static_cast<size_t>(nl - data) : n;
        marker_.append(reinterpret_cast<const char*>(data),
                       std::min(line, kMaxMarkerBytes - std::min(kMaxMarkerBytes, marker_.size())));
        const size_t used = nl != nullptr ? line + 1 : line;
        data += used;
        n -= used;
        if (nl != nullptr) {
          FinishMarker();
          state_ = State::kLineStart;
        }
        break;
      }
    }
  }
}

void ConsoleLogParser::Classify() {
  ++check_.lines;
  const std::optional<int64_t> stamp = ParseStamp(head_.data(), head_.size());
  absl::string_view rest = head_;
  if (stamp) {
    rest.remove_prefix(kStampBytes);
    if (check_.first_stamp_ms == 0 || *stamp < check_.first_stamp_ms) {
      check_.first_stamp_ms = *stamp;
    }
    check_.last_stamp_ms = std::max(check_.last_stamp_ms, *stamp);
  } else if (file_start_) {
    ++check_.continued_lines;
  } else {
    if (check_.lines_without_timestamp++ == 0) check_.first_bad_line = Escaped(head_, 64);
  }
  file_start_ = false;
  if (stamp && absl::StartsWith(rest, kMarkerStart)) {
    rest.remove_prefix(kMarkerStart.size());
    if (!rest.empty() && rest.back() == '\n') {
      rest.remove_suffix(1);
      marker_ = std::string(rest);
      FinishMarker();
      state_ = State::kLineStart;
    } else {
      marker_ = std::string(rest);
      state_ = State::kMarker;
    }
    head_.clear();
    return;
  }
  ReleaseHeldNewline();
  const bool ended = !rest.empty() && rest.back() == '\n';
  if (ended) rest.remove_suffix(1);
  FeedDevice(reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
  newline_held_ = ended;
  state_ = ended ? State::kLineStart : State::kPayload;
  head_.clear();
}

void ConsoleLogParser::FinishMarker() {
  ++check_.marker_lines;
  absl::string_view text = marker_;
  if (absl::EndsWith(text, kMarkerEnd)) text.remove_suffix(kMarkerEnd.size());
  const size_t digits = static_cast<size_t>(
      std::find_if(text.begin(), text.end(), [](char c) { return c < '0' || c > '9'; }) -
      text.begin());
  uint64_t bytes = 0;
  if (digits > 0 && absl::StartsWith(text.substr(digits), kNotLogged) &&
      absl::SimpleAtoi(text.substr(0, digits), &bytes)) {
    check_.marker_bytes += bytes;
    announced_bytes_ += bytes;
  }
  marker_.clear();
  if (newline_held_) {
    newline_held_ = false;
    // The writer's own line end, or the device's? The pattern knows.
    static constexpr uint8_t kNewline = '\n';
    const bool in_stream = verifier_ != nullptr && verifier_->joined() &&
                           verifier_->unplaced_bytes() == 0 &&
                           MatchesPattern(*seed_, verifier_->position(), &kNewline, 1);
    if (in_stream || verifier_ == nullptr) {
      FeedDevice(&kNewline, 1);
    } else {
      ++check_.inserted_line_ends;
    }
  }
}

void ConsoleLogParser::FeedDevice(const uint8_t* data, size_t n) {
  if (n == 0) return;
  check_.device_bytes += n;
  if (verifier_ == nullptr) return;
  const uint64_t gap_bytes_before = verifier_->counts().gap_bytes;
  verifier_->Feed(data, n);
  const uint64_t gap = verifier_->counts().gap_bytes - gap_bytes_before;
  if (gap > 0) {
    // One marker, one gap: what the marker announced covers this gap only.
    check_.unannounced_gap_bytes += gap > announced_bytes_ ? gap - announced_bytes_ : 0;
    announced_bytes_ = 0;
  }
}

void ConsoleLogParser::ReleaseHeldNewline() {
  if (!newline_held_) return;
  newline_held_ = false;
  static constexpr uint8_t kNewline = '\n';
  FeedDevice(&kNewline, 1);
}

ConsoleLogCheck ConsoleLogParser::Finish() {
  if (state_ == State::kLineStart && !head_.empty()) Classify();  // a last line with no '\n'
  if (state_ == State::kMarker) FinishMarker();
  ReleaseHeldNewline();
  if (verifier_ != nullptr) {
    check_.verify = verifier_->counts();
    check_.joined = verifier_->joined();
    check_.first_offset = verifier_->join_offset();
    check_.end_offset = verifier_->position();
  }
  return check_;
}

absl::StatusOr<ConsoleLogCheck> CheckConsoleLog(const std::string& path, int keep,
                                                std::optional<uint64_t> seed) {
  std::vector<std::string> files;
  for (int k = keep; k >= 1; --k) files.push_back(absl::StrCat(path, ".", k));
  files.push_back(path);
  ConsoleLogParser parser(seed);
  std::vector<uint8_t> buffer(kReadChunkBytes);
  bool any = false;
  for (const std::string& file : files) {
    const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("open ", file));
    }
    any = true;
    parser.BeginFile();
    for (;;) {
      const ssize_t got = read(fd, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        const int err = errno;
        close(fd);
        return absl::ErrnoToStatus(err, absl::StrCat("read ", file));
      }
      if (got == 0) break;
      parser.Feed(buffer.data(), static_cast<size_t>(got));
    }
    close(fd);
  }
  if (!any) return absl::NotFoundError(absl::StrCat("no console log at ", path));
  return parser.Finish();
}

}  // namespace ttyhub::bench
