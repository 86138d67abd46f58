// The device's bytes at the end of a console log file, for filling a
// port's ring when ttyhub starts, so that history replay (`history:`)
// survives a restart. Reads ttyhub's own log format
// (console_log_formatter.h): timestamps are stripped, and input lines and
// marker lines are left out.
//
// Blocking reads: used once per port in Port::Start, before the worker
// serves anything. Pure parsing otherwise; any thread.
#ifndef TTYHUB_ENGINE_CONSOLE_LOG_TAIL_H_
#define TTYHUB_ENGINE_CONSOLE_LOG_TAIL_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

// The device bytes in `text`, the last bytes of a log file. Its first line
// is dropped unless `text` is the whole file (`from_file_start`), as it
// may begin mid-line; its last line may lack its '\n' (a prompt), and is
// kept.
std::string DeviceBytesFromLogText(absl::string_view text, bool from_file_start, bool timestamps,
                                   bool input);

// The last `max_bytes` of the regular file at `path` (all of it if
// smaller), and whether that is the whole file. A missing file is empty.
struct FileTail {
  std::string text;
  bool from_file_start = true;
};
absl::StatusOr<FileTail> ReadFileTail(const std::string& path, size_t max_bytes);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONSOLE_LOG_TAIL_H_
