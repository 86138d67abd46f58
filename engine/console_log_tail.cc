// Device bytes from a console log's tail. See console_log_tail.h.
#include "engine/console_log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

absl::StatusOr<FileTail> ReadFileTail(const std::string& path, size_t max_bytes) {
  FileTail tail;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return tail;
    return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return tail;  // a FIFO or device has no tail to read
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint64_t start = size > max_bytes ? size - max_bytes : 0;
  tail.from_file_start = start == 0;
  tail.text.resize(static_cast<size_t>(size - start));
  size_t got = 0;
  while (got < tail.text.size()) {
    const ssize_t n =
        pread(fd, tail.text.data() + got, tail.text.size() - got, static_cast<off_t>(start + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  tail.text.resize(got);
  return tail;
}

}  // namespace ttyhub
