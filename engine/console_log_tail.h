// The device's bytes at the end of a console log file, for filling a
// port's ring when ttyhub starts, so that history replay (`history:`)
// survives a restart. Reads ttyhub's own log format
// (console_log_formatter.h): timestamps are stripped, and input lines and
// marker lines are left out.
//
// Blocking reads: in Port::Start, before the worker serves anything, and
// when a client asks for more history than the ring holds (bounded reads
// of what was just written, so from the page cache as a rule). Pure
// parsing otherwise; any thread.
#ifndef TTYHUB_ENGINE_CONSOLE_LOG_TAIL_H_
#define TTYHUB_ENGINE_CONSOLE_LOG_TAIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

// The device bytes in `text`, the last bytes of a log file. Its first line
// is dropped unless `text` is the whole file (`from_file_start`), as it
// may begin mid-line; its last line may lack its '\n' (a prompt), and is
// kept.
std::string DeviceBytesFromLogText(absl::string_view text, bool from_file_start, bool timestamps,
                                   bool input);

// How many bytes of console content `text` (log text ttyhub formatted)
// carries: device output, and the text of input lines; not timestamps,
// the "[input] " marks and the newlines that end input lines, nor marker
// lines. `starts_mid_line`: the text continues a line (no timestamp).
// Counts what a failed write did not log, in the units of device bytes.
uint64_t ContentBytesInLogText(absl::string_view text, bool starts_mid_line, bool timestamps,
                               bool input);

// The last `max_bytes` of the regular file at `path` (all of it if
// smaller), and whether that is the whole file. A missing file is empty.
struct FileTail {
  std::string text;
  bool from_file_start = true;
};
absl::StatusOr<FileTail> ReadFileTail(const std::string& path, size_t max_bytes);

// The last `max_bytes` of the log text that ends at byte `end` of
// `files[0]`, carried on into files[1], files[2], ... (each the one before
// the last: PATH.1, PATH.2, ...) while files[0] holds less. from_file_start:
// the text begins at the start of the oldest file read, or no older file
// exists. An error if files[0] is shorter than `end` (cut by someone else).
absl::StatusOr<FileTail> ReadLogTextBefore(const std::vector<std::string>& files, uint64_t end,
                                           size_t max_bytes);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONSOLE_LOG_TAIL_H_
