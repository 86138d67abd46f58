// Reading console log files back. See console_log_reader.h.
//
// Runs on whichever thread asks (the admin server's); blocking pread(2).
#include "engine/console_log_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ttyhub {
namespace {

constexpr size_t kBlock = 64 * 1024;           // bytes per read
constexpr size_t kFingerprintBytes = 64;       // a cursor hashes its file's first bytes
constexpr size_t kProbeLineBytes = 256;        // enough of a line to read its timestamp
constexpr uint64_t kSinceWindow = 64 * 1024;   // the binary search stops at this width
constexpr uint64_t kProbeReadBytes = 1 << 20;  // one probe looks this far for a stamp

bool Digits(absl::string_view s, size_t at, size_t n, int* value) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// FNV-1a, 64 bits.
uint64_t Fnv1a(const char* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The first line starting at or after `from` (that is, `from` itself if it
// starts a line) that has a timestamp, with that time; reads at most
// `max_read` bytes. `exhausted` is set if the read limit stopped the search.
struct StampedLine {
  uint64_t offset;
  int64_t unix_ms;
};
std::optional<StampedLine> FirstStampedLine(const ConsoleLogFiles& files, uint64_t from,
                                            uint64_t end, uint64_t max_read, bool* exhausted) {
  // Start one byte early: the first "line" is then the rest of the line
  // holding byte from-1 (just "" if that byte is the '\n' ending it), and
  // the next one starts at or after `from`.
  LogLineScanner scanner(files, from > 0 ? from - 1 : 0, end, kProbeLineBytes, max_read);
  LogLineScanner::Line line;
  bool found = false;
  std::optional<StampedLine> result;
  if (from == 0 || scanner.Next(&line)) {
    while (scanner.Next(&line)) {
      if (auto ms = ParseLogTimestamp(line.text)) {
        result = StampedLine{line.offset, *ms};
        found = true;
        break;
      }
    }
  }
  if (exhausted != nullptr) *exhausted = !found && scanner.read_limit_reached();
  return result;
}

}  // namespace

std::optional<int64_t> ParseLogTimestamp(absl::string_view line) {
  // "YYYY-MM-DDTHH:MM:SS.mmmZ "
  if (line.size() < kLogTimestampPrefixBytes) return std::nullopt;
  if (line[4] != '-' || line[7] != '-' || line[10] != 'T' || line[13] != ':' || line[16] != ':' ||
      line[19] != '.' || line[23] != 'Z' || line[24] != ' ') {
    return std::nullopt;
  }
  int year, month, day, hour, minute, second, ms;
  if (!Digits(line, 0, 4, &year) || !Digits(line, 5, 2, &month) || !Digits(line, 8, 2, &day) ||
      !Digits(line, 11, 2, &hour) || !Digits(line, 14, 2, &minute) ||
      !Digits(line, 17, 2, &second) || !Digits(line, 20, 3, &ms)) {
    return std::nullopt;
  }
  static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > kDaysIn[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second
  const int64_t seconds =
      ((DaysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  return seconds * 1000 + ms;
}

std::string FormatLogCursor(const LogCursor& cursor) {
  return absl::StrCat(cursor.inode, "-", cursor.offset, "-", absl::Hex(cursor.fingerprint));
}

std::optional<LogCursor> ParseLogCursor(absl::string_view text) {
  if (text.size() > 64) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  LogCursor c;
  if (parts.size() != 3 || parts[2].empty() || parts[2].size() > 16 ||
      !absl::SimpleAtoi(parts[0], &c.inode) || !absl::SimpleAtoi(parts[1], &c.offset) ||
      !absl::SimpleHexAtoi(parts[2], &c.fingerprint)) {
    return std::nullopt;
  }
  // SimpleAtoi accepts a sign and spaces; a cursor has neither.
  for (absl::string_view p : parts) {
    for (char ch : p) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(ch))) return std::nullopt;
    }
  }
  return c;
}

absl::StatusOr<ConsoleLogFiles> ConsoleLogFiles::Open(const std::string& path, uint32_t keep) {
  ConsoleLogFiles set;
  if (path.empty()) return set;
  keep = std::min(keep, kMaxKeep);
  for (uint32_t i = 0; i <= keep; ++i) {  // newest first
    std::string name = i == 0 ? path : absl::StrCat(path, ".", i);
    // O_NONBLOCK: a FIFO put in the log's place must not hang the reader.
    const int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) continue;
      return absl::InternalError(
          absl::StrCat("cannot read console log ", name, ": ", std::strerror(err)));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      return absl::InternalError(
          absl::StrCat("cannot read console log ", name, ": not a regular file"));
    }
    const auto ino = static_cast<uint64_t>(st.st_ino);
    if (std::any_of(set.files_.begin(), set.files_.end(),
                    [&](const File& f) { return f.inode == ino; })) {
      close(fd);  // rotated while we opened: already read under its newer name
      continue;
    }
    set.files_.push_back(File{fd, std::move(name), ino, static_cast<uint64_t>(st.st_size), 0});
  }
  std::reverse(set.files_.begin(), set.files_.end());
  uint64_t begin = 0;
  for (File& f : set.files_) {
    f.begin = begin;
    begin += f.size;
  }
  return set;
}

ConsoleLogFiles::ConsoleLogFiles(ConsoleLogFiles&& other) noexcept
    : files_(std::move(other.files_)) {
  other.files_.clear();
}

ConsoleLogFiles& ConsoleLogFiles::operator=(ConsoleLogFiles&& other) noexcept {
  if (this != &other) {
    CloseAll();
    files_ = std::move(other.files_);
    other.files_.clear();
  }
  return *this;
}

ConsoleLogFiles::~ConsoleLogFiles() { CloseAll(); }

void ConsoleLogFiles::CloseAll() {
  for (File& f : files_) {
    if (f.fd >= 0) close(f.fd);
  }
  files_.clear();
}

uint64_t ConsoleLogFiles::size() const {
  return files_.empty() ? 0 : files_.back().begin + files_.back().size;
}

size_t ConsoleLogFiles::ReadAt(uint64_t pos, char* out, size_t n) const {
  // The first file that ends after `pos`; it begins at or before it.
  auto it = std::upper_bound(files_.begin(), files_.end(), pos,
                             [](uint64_t p, const File& f) { return p < f.begin + f.size; });
  size_t done = 0;
  for (; it != files_.end() && done < n; ++it) {
    uint64_t offset = pos + done - it->begin;
    size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, it->size - offset));
    while (want > 0) {
      const ssize_t r = pread(it->fd, out + done, want, static_cast<off_t>(offset));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return done;  // shrank (truncated) or failed: the stream ends here
      done += static_cast<size_t>(r);
      offset += static_cast<uint64_t>(r);
      want -= static_cast<size_t>(r);
    }
  }
  return done;
}

uint64_t ConsoleLogFiles::Fingerprint(const File& file, uint64_t offset) const {
  char head[kFingerprintBytes];
  const size_t want = static_cast<size_t>(std::min<uint64_t>(offset, kFingerprintBytes));
  size_t got = 0;
  while (got < want) {
    const ssize_t r = pread(file.fd, head + got, want - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  // A short read (the file shrank) hashes fewer bytes: then it differs.
  return Fnv1a(head, got) ^ got;
}

LogCursor ConsoleLogFiles::CursorAt(uint64_t pos) const {
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    if (it->begin <= pos) {
      const uint64_t offset = std::min(pos - it->begin, it->size);
      return LogCursor{it->inode, offset, Fingerprint(*it, offset)};
    }
  }
  return LogCursor{};
}

std::optional<uint64_t> ConsoleLogFiles::Find(const LogCursor& cursor) const {
  if (cursor.inode == 0) return std::nullopt;
  for (const File& f : files_) {
    if (f.inode == cursor.inode && cursor.offset <= f.size &&
        Fingerprint(f, cursor.offset) == cursor.fingerprint) {
      return f.begin + cursor.offset;
    }
  }
  return std::nullopt;
}

uint64_t TailStart(const ConsoleLogFiles& files, uint64_t end, size_t lines, uint64_t max_bytes,
                   bool* truncated) {
  *truncated = false;
  if (lines == 0 || end == 0) return end;
  const uint64_t limit = end > max_bytes ? end - max_bytes : 0;  // the earliest start allowed
  // A final '\n' ends the last line; it does not start one.
  uint64_t scan_end = end;
  char last = 0;
  if (files.ReadAt(end - 1, &last, 1) == 1 && last == '\n') scan_end = end - 1;
  // Byte limit-1 tells whether `limit` itself starts a line.
  const uint64_t scan_begin = limit > 0 ? limit - 1 : 0;
  std::string buf(kBlock, '\0');
  size_t needed = lines;
  std::optional<uint64_t> earliest;  // the earliest line start seen, all >= limit
  for (uint64_t p = scan_end; p > scan_begin;) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(kBlock, p - scan_begin));
    const uint64_t from = p - chunk;
    if (files.ReadAt(from, buf.data(), chunk) != chunk) {
      *truncated = true;  // unreadable further back
      return earliest.value_or(end);
    }
    for (size_t i = chunk; i-- > 0;) {
      if (buf[i] != '\n') continue;
      earliest = from + i + 1;
      if (--needed == 0) return *earliest;
    }
    p = from;
  }
  if (limit == 0) return 0;  // fewer lines than asked: all of them
  *truncated = true;
  return earliest.value_or(limit);
}

absl::StatusOr<uint64_t> SinceStart(const ConsoleLogFiles& files, uint64_t end, int64_t since_ms,
                                    uint64_t max_scan) {
  end = std::min(end, files.size());
  // Invariant: the answer is a line start >= lo (or `end`). `hi` only
  // steers the probes; the last scan runs from lo until it finds the answer.
  uint64_t lo = 0, hi = end;
  while (hi > lo && hi - lo > kSinceWindow) {
    const uint64_t mid = lo + (hi - lo) / 2;
    const std::optional<StampedLine> probe =
        FirstStampedLine(files, mid, end, kProbeReadBytes, nullptr);
    if (!probe) {
      lo = mid;  // no stamp near here: counted as older
    } else if (probe->unix_ms < since_ms) {
      lo = probe->offset + 1;  // that line and everything before it are older
      hi = std::max(hi, lo);
    } else {
      hi = mid;  // the answer is at or before that line
    }
  }
  LogLineScanner scanner(files, lo > 0 ? lo - 1 : 0, end, kProbeLineBytes, max_scan);
  LogLineScanner::Line line;
  if (lo == 0 || scanner.Next(&line)) {  // skip the rest of the line holding byte lo-1
    while (scanner.Next(&line)) {
      const std::optional<int64_t> ms = ParseLogTimestamp(line.text);
      if (ms && *ms >= since_ms) return line.offset;
    }
  }
  if (scanner.read_limit_reached()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("no timestamped line found within ", max_scan,
                     " bytes of the log while looking for the start time"));
  }
  return end;
}

LogLineScanner::LogLineScanner(const ConsoleLogFiles& files, uint64_t begin, uint64_t end,
                               size_t max_line, uint64_t max_read)
    : files_(files),
      pos_(begin),
      end_(std::max(begin, std::min(end, files.size()))),
      max_line_(std::max<size_t>(max_line, 1)),
      max_read_(max_read),
      buf_(max_line_ + kBlock, '\0'),
      buf_base_(begin) {}

bool LogLineScanner::Fill() {
  if (pos_ >= end_) return false;
  if (bytes_read_ >= max_read_) {
    read_limit_reached_ = true;
    return false;
  }
  if (head_ > 0) {  // keep the unconsumed bytes, at the front
    std::memmove(buf_.data(), buf_.data() + head_, tail_ - head_);
    tail_ -= head_;
    buf_base_ += head_;
    head_ = 0;
  }
  const uint64_t want =
      std::min<uint64_t>({buf_.size() - tail_, end_ - pos_, max_read_ - bytes_read_});
  if (want == 0) return false;
  const size_t got = files_.ReadAt(pos_, buf_.data() + tail_, static_cast<size_t>(want));
  if (got < want) end_ = pos_ + got;  // shrank or failed: the range ends there
  if (got == 0) return false;
  pos_ += got;
  tail_ += got;
  bytes_read_ += got;
  return true;
}

bool LogLineScanner::Next(Line* line) {
  for (;;) {
    const char* start = buf_.data() + head_;
    const size_t pending = tail_ - head_;
    const void* nl = pending == 0 ? nullptr : std::memchr(start, '\n', pending);
    if (nl != nullptr) {
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      head_ += len + 1;
      if (skipping_) {  // the end of a cut line
        skipping_ = false;
        continue;
      }
      line->offset = buf_base_ + (head_ - len - 1);
      line->text = absl::string_view(start, std::min(len, max_line_));
      line->complete = true;
      line->cut = len > max_line_;
      return true;
    }
    if (skipping_) {
      head_ = tail_;
      if (!Fill()) return false;
      continue;
    }
    if (pending > max_line_) {  // a line longer than max_line: its start, then skip the rest
      line->offset = buf_base_ + head_;
      line->text = absl::string_view(start, max_line_);
      line->complete = false;
      line->cut = true;
      head_ = tail_;  // the view stays valid: the buffer is reused only by the next call
      skipping_ = true;
      return true;
    }
    if (!Fill()) {
      const size_t rest = tail_ - head_;
      if (rest == 0) return false;
      line->offset = buf_base_ + head_;  // the range's last line, without '\n'
      line->text = absl::string_view(buf_.data() + head_, rest);
      line->complete = false;
      line->cut = false;
      head_ = tail_;
      return true;
    }
  }
}

}  // namespace ttyhub
