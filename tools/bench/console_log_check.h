// Reads a port's console log back as ttyhub writes it with `timestamps:
// true` (issue 10) and checks it against what the port's device wrote: the
// verifiable pattern stream (pattern.h) of a known seed.
//
// The files are read oldest first, PATH.<keep> .. PATH.1 then PATH, as one
// stream (missing ones are skipped: rotation deleted them, or there were
// never that many). Every line must start with a timestamp,
// "2026-12-01T09:00:00.123Z ", except a line that begins a file, which may
// carry on the line the previous file ended (rotation splits a line only
// when it alone is too long). A marker line, "<stamp> --- ttyhub: <text>
// ---", says what was not logged ("12345 bytes not logged (disk too
// slow)"). What remains once stamps and markers are removed must be the
// device's stream: it is verified byte for byte, joining anywhere (the
// oldest files may have been deleted). Every gap must follow a marker that
// announced at least as many bytes; a gap with no marker is loss nobody was
// told of.
//
// The writer ends a partial line with a '\n' of its own before a marker;
// that '\n' is not a device byte. It is told apart by the pattern: kept if
// it is the stream's next byte, else counted as inserted.
//
// Pure parsing over the bytes it is fed; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_CONSOLE_LOG_CHECK_H_
#define TTYHUB_TOOLS_BENCH_CONSOLE_LOG_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/stream_verifier.h"

namespace ttyhub::bench {

struct ConsoleLogCheck {
  uint64_t files = 0;       // files read
  uint64_t file_bytes = 0;  // their size, stamps and markers included
  uint64_t lines = 0;
  // Lines that do not start with a timestamp (and do not begin a file).
  uint64_t lines_without_timestamp = 0;
  std::string first_bad_line;    // the start of the first such line, escaped
  uint64_t continued_lines = 0;  // lines at a file's start carrying on the last file's
  uint64_t marker_lines = 0;
  uint64_t marker_bytes = 0;        // the sum of N in "N bytes not logged"
  uint64_t inserted_line_ends = 0;  // '\n's the writer put before a marker
  uint64_t device_bytes = 0;        // what remains once stamps and markers are removed
  // Those bytes against the stream (only with a seed).
  VerifyCounts verify;
  uint64_t unannounced_gap_bytes = 0;  // lost with no marker before them
  // The stream offsets the files cover: [first_offset, end_offset).
  bool joined = false;
  uint64_t first_offset = 0;
  uint64_t end_offset = 0;
  // The earliest and latest timestamp, ms since the Unix epoch (0: none).
  int64_t first_stamp_ms = 0;
  int64_t last_stamp_ms = 0;
};

class ConsoleLogParser {
 public:
  // The length of "2026-12-01T09:00:00.123Z " with its space.
  static constexpr size_t kStampBytes = 25;

  // `seed`: the device's stream; without one, only the lines are checked.
  explicit ConsoleLogParser(std::optional<uint64_t> seed);
  ~ConsoleLogParser();

  // The next bytes are a new file's first.
  void BeginFile();
  // The log's bytes, in order, in pieces of any size.
  void Feed(const uint8_t* data, size_t n);
  // Ends the last line and returns what was found. Call once.
  ConsoleLogCheck Finish();

  // If `text` starts with a timestamp, its time in ms since the epoch.
  static std::optional<int64_t> ParseStamp(const char* text, size_t n);

 private:
  enum class State { kLineStart, kPayload, kMarker };
  // The bytes that tell a stamped line, a marker and anything else apart.
  static constexpr size_t kClassifyBytes = kStampBytes + 12;  // "--- ttyhub: "
  static constexpr size_t kMaxMarkerBytes = 4096;

  // Decides what the line in head_ is and handles what of it was read.
  void Classify();
  void FinishMarker();
  // Device bytes: counted, verified, gaps matched against markers.
  void FeedDevice(const uint8_t* data, size_t n);
  // A line's '\n' is fed only once the next line shows it was the device's.
  void ReleaseHeldNewline();

  std::unique_ptr<StreamVerifier> verifier_;
  std::optional<uint64_t> seed_;
  ConsoleLogCheck check_;
  State state_ = State::kLineStart;
  bool file_start_ = true;  // the line in head_ is its file's first
  std::string head_;        // a line's first bytes, until Classify
  std::string marker_;      // a marker line's text after "--- ttyhub: "
  bool newline_held_ = false;
  uint64_t announced_bytes_ = 0;  // announced by markers, not yet seen as a gap
};

// Reads and checks the log whose current file is `path` (`keep` rotated
// files at most). An error if no file exists or one cannot be read.
absl::StatusOr<ConsoleLogCheck> CheckConsoleLog(const std::string& path, int keep,
                                                std::optional<uint64_t> seed);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CONSOLE_LOG_CHECK_H_
