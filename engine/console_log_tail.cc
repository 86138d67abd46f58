// Device bytes from a console log's tail. See console_log_tail.h.
#include "engine/console_log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/console_log_formatter.h"

namespace ttyhub {
namespace {

bool LooksLikeTimestamp(absl::string_view line) {
  if (line.size() < ConsoleLogFormatter::kTimestampBytes) return false;
  // "2026-12-01T09:00:00.123Z "
  static constexpr absl::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ ";
  for (size_t i = 0; i < kShape.size(); ++i) {
    const char c = line[i];
    if (kShape[i] == 'd' ? (c < '0' || c > '9') : c != kShape[i]) return false;
  }
  return true;
}

bool IsMarker(absl::string_view line) {
  return absl::StartsWith(line, "--- ttyhub: ") && absl::EndsWith(line, " ---\n");
}

}  // namespace

std::string DeviceBytesFromLogText(absl::string_view text, bool from_file_start, bool timestamps,
                                   bool input) {
  if (!from_file_start) {
    const size_t nl = text.find('\n');
    text.remove_prefix(nl == absl::string_view::npos ? text.size() : nl + 1);
  }
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const size_t len = nl == absl::string_view::npos ? text.size() : nl + 1;
    absl::string_view line = text.substr(0, len);
    text.remove_prefix(len);
    if (timestamps) {
      if (!LooksLikeTimestamp(line)) continue;  // not ttyhub's format: leave it out
      line.remove_prefix(ConsoleLogFormatter::kTimestampBytes);
    }
    if (input && absl::StartsWith(line, ConsoleLogFormatter::kInputMark)) continue;
    if (IsMarker(line)) continue;
    out.append(line.data(), line.size());
  }
  return out;
}

uint64_t ContentBytesInLogText(absl::string_view text, bool starts_mid_line, bool timestamps,
                               bool input) {
  uint64_t content = 0;
  bool first = true;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const size_t len = nl == absl::string_view::npos ? text.size() : nl + 1;
    absl::string_view line = text.substr(0, len);
    text.remove_prefix(len);
    const bool continued = first && starts_mid_line;
    first = false;
    if (continued) {
      content += line.size();
      continue;
    }
    if (timestamps && LooksLikeTimestamp(line))
      line.remove_prefix(ConsoleLogFormatter::kTimestampBytes);
    if (IsMarker(line)) continue;
    if (input && absl::ConsumePrefix(&line, ConsoleLogFormatter::kInputMark)) {
      line = absl::StripSuffix(line, "\n");
    }
    content += line.size();
  }
  return content;
}

namespace {

// Reads the last `max_bytes` before byte `end` of the regular file at
// `path` (end = UINT64_MAX: its size) and prepends them to `*text`. Returns
// whether that reached the file's start; a missing file or one that is not
// a regular file is empty. `*size` gets the file's size.
absl::StatusOr<bool> PrependFileBytes(const std::string& path, uint64_t end, size_t max_bytes,
                                      std::string* text, uint64_t* size) {
  *size = 0;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return true;
    return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return true;  // a FIFO or device has no tail to read
  }
  *size = static_cast<uint64_t>(st.st_size);
  end = std::min(end, *size);
  const uint64_t start = end > max_bytes ? end - max_bytes : 0;
  std::string bytes(static_cast<size_t>(end - start), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n =
        pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(start + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  bytes.resize(got);
  text->insert(0, bytes);
  return start == 0;
}

}  // namespace

absl::StatusOr<FileTail> ReadLogTextBefore(const std::vector<std::string>& files, uint64_t end,
                                           size_t max_bytes) {
  FileTail tail;
  for (size_t i = 0; i < files.size() && tail.text.size() < max_bytes; ++i) {
    uint64_t size = 0;
    absl::StatusOr<bool> whole = PrependFileBytes(files[i], i == 0 ? end : UINT64_MAX,
                                                  max_bytes - tail.text.size(), &tail.text, &size);
    if (!whole.ok()) return whole.status();
    if (i == 0 && size < end) {
      return absl::FailedPreconditionError(absl::StrCat(
          files[0], " is shorter than ttyhub wrote it (", size, " < ", end, " bytes)"));
    }
    tail.from_file_start = *whole;
    if (size == 0 && i > 0) break;  // no older file
  }
  return tail;
}

absl::StatusOr<FileTail> ReadFileTail(const std::string& path, size_t max_bytes) {
  FileTail tail;
  uint64_t size = 0;
  absl::StatusOr<bool> whole = PrependFileBytes(path, UINT64_MAX, max_bytes, &tail.text, &size);
  if (!whole.ok()) return whole.status();
  tail.from_file_start = *whole;
  return tail;
}

}  // namespace ttyhub
