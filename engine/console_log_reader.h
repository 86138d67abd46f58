// ConsoleLogReader: reading a port's console log files back (issue 10,
// section 3: `ttyhubctl log`, `ttyhubctl grep` and their API endpoints).
//
// A port's log is its current file PATH and the rotated files PATH.1
// (newest) .. PATH.<keep> (oldest), any of which may be missing. Opened
// together (ConsoleLogFiles) they form one byte stream, oldest byte first.
// Each file is held open with the size it had when it was opened, so the
// stream stays fixed for as long as the object lives, whatever the writer
// does meanwhile (appends, rotates, reopens). On top of that stream:
//
//   - TailStart: where the last N lines begin, read backwards from the end,
//     bounded in bytes;
//   - SinceStart: the first line stamped at or after a time, by a binary
//     search over the timestamps;
//   - LogLineScanner: the lines of a range, front to back, each cut at a
//     maximum length, with a bound on the bytes read (grep);
//   - LogCursor: a position that survives rotation (a file's inode, an
//     offset in it and a fingerprint of its first bytes), for `--follow`.
//
// A line is what ends with '\n'; the stream's last line may have none yet
// (a prompt). With `timestamps: true` a line starts with
// "2026-12-01T09:00:00.123Z " (kLogTimestampPrefixBytes); a line without
// one continues the line before it (the writer carries a flushed partial
// line on without a new stamp).
//
// Only reading (open, fstat, pread); never a path built from anything but
// the configured one. Blocking file I/O: for the admin server's threads,
// never a worker. Objects are not thread-safe; one per request.
#ifndef TTYHUB_ENGINE_CONSOLE_LOG_READER_H_
#define TTYHUB_ENGINE_CONSOLE_LOG_READER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

// "2026-12-01T09:00:00.123Z " : the timestamp and its space.
inline constexpr size_t kLogTimestampPrefixBytes = 25;

// If `line` starts with a timestamp followed by a space, its time in
// milliseconds since the Unix epoch (UTC); else nullopt.
std::optional<int64_t> ParseLogTimestamp(absl::string_view line);

// A position in a port's log that survives rotation: `offset` bytes into
// the file whose inode is `inode`, and whose first min(offset, 64) bytes
// hash to `fingerprint` (so that a new file reusing a deleted file's inode,
// or a file truncated and rewritten, is not taken for the old one).
// inode 0 means "no file yet" (an empty log).
struct LogCursor {
  uint64_t inode = 0;
  uint64_t offset = 0;  // bytes into that file
  uint64_t fingerprint = 0;
};
// "INODE-OFFSET-FINGERPRINT" (decimal, decimal, hex): opaque to clients.
std::string FormatLogCursor(const LogCursor& cursor);
std::optional<LogCursor> ParseLogCursor(absl::string_view text);

class ConsoleLogFiles {
 public:
  struct File {
    int fd = -1;
    std::string path;
    uint64_t inode = 0;
    uint64_t size = 0;   // bytes, when opened; later growth is not part of the stream
    uint64_t begin = 0;  // stream offset of the file's first byte
  };

  // More rotated files than this are not looked for (bounds descriptors).
  static constexpr uint32_t kMaxKeep = 1000;

  // Opens `path` and `path`.1 .. `path`.<keep> that exist, newest first, so
  // that a rotation during the opening is not read twice: a file whose
  // inode was already opened is skipped. A missing file (or an empty `path`:
  // no file yet) is simply not part of the stream. Anything else that
  // prevents reading an existing file, or a file that is not a regular
  // file, is an error naming it.
  static absl::StatusOr<ConsoleLogFiles> Open(const std::string& path, uint32_t keep);

  ConsoleLogFiles() = default;
  ConsoleLogFiles(ConsoleLogFiles&& other) noexcept;
  ConsoleLogFiles& operator=(ConsoleLogFiles&& other) noexcept;
  ConsoleLogFiles(const ConsoleLogFiles&) = delete;
  ConsoleLogFiles& operator=(const ConsoleLogFiles&) = delete;
  ~ConsoleLogFiles();

  // Oldest first; the last one is the current file.
  const std::vector<File>& files() const { return files_; }
  // Bytes in the stream.
  uint64_t size() const;

  // Copies up to `n` bytes from stream offset `pos` to `out`, across file
  // boundaries. Returns the count: fewer than asked only at the stream's
  // end, or if a file shrank since it was opened (truncated) or a read
  // failed, where the stream is taken to end.
  size_t ReadAt(uint64_t pos, char* out, size_t n) const;

  // The cursor for stream offset `pos` (0 <= pos <= size()): in the newest
  // file that begins at or before it. Reads up to 64 bytes.
  LogCursor CursorAt(uint64_t pos) const;
  // Where `cursor` is in this stream; nullopt if its file is not among these
  // (rotated beyond `keep`, replaced) or no longer matches it (truncated or
  // rewritten).
  std::optional<uint64_t> Find(const LogCursor& cursor) const;

 private:
  uint64_t Fingerprint(const File& file, uint64_t offset) const;
  void CloseAll();

  std::vector<File> files_;
};

// Where the last `lines` lines of stream range [0, end) begin. A final line
// without '\n' counts as one. At most `max_bytes` back from `end`: when the
// lines take more, returns the first line start in the last `max_bytes`
// bytes (or end - max_bytes itself, mid-line, if a single line is longer)
// and sets *truncated. Reads at most max_bytes + 64 KiB, backwards.
uint64_t TailStart(const ConsoleLogFiles& files, uint64_t end, size_t lines, uint64_t max_bytes,
                   bool* truncated);

// The stream offset of the first line in [0, end) whose timestamp is at or
// after `since_ms` (ms since the Unix epoch), or `end` if there is none.
// Lines without a timestamp never start the answer: they continue the line
// before them. Assumes that timestamps do not decrease along the stream (so
// a wall clock stepped back may shift the answer); stretches without
// timestamps count as older. Reads O(log size) probes and one last window;
// ResourceExhausted if that window would take more than `max_scan` bytes.
absl::StatusOr<uint64_t> SinceStart(const ConsoleLogFiles& files, uint64_t end, int64_t since_ms,
                                    uint64_t max_scan = 64 << 20);

// The lines of a stream range, front to back.
class LogLineScanner {
 public:
  struct Line {
    uint64_t offset = 0;     // stream offset of its first byte
    absl::string_view text;  // without its '\n'; valid until the next call
    bool complete = false;   // ended by '\n' (false: the range ended first)
    bool cut = false;        // longer than max_line: `text` is its first max_line bytes
  };

  // Scans [begin, end) of `files`, reading at most `max_read` bytes in all.
  // `begin` should be a line start (else the first line is a fragment).
  LogLineScanner(const ConsoleLogFiles& files, uint64_t begin, uint64_t end, size_t max_line,
                 uint64_t max_read = UINT64_MAX);

  // The next line; false when the range (or `max_read`) is exhausted.
  bool Next(Line* line);

  uint64_t bytes_read() const { return bytes_read_; }
  // Whether Next() stopped because of `max_read` rather than the range's end.
  bool read_limit_reached() const { return read_limit_reached_; }

 private:
  // Reads more into the buffer; false if nothing more can be read.
  bool Fill();

  const ConsoleLogFiles& files_;
  uint64_t pos_;  // next stream offset to read
  uint64_t end_;
  const size_t max_line_;
  const uint64_t max_read_;
  uint64_t bytes_read_ = 0;
  bool read_limit_reached_ = false;
  std::string buf_;        // capacity max_line + one block
  size_t head_ = 0;        // first unconsumed byte in buf_
  size_t tail_ = 0;        // end of valid bytes in buf_
  uint64_t buf_base_ = 0;  // stream offset of buf_[0]
  bool skipping_ = false;  // discarding the rest of a cut line
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONSOLE_LOG_READER_H_
