// ConsoleLogger: writes one port's console log file (issue 10, `log:`).
//
// It is a consumer of the port's fan-out ring, as a read-only viewer is: it
// keeps a cursor, never holds the ring's floor, and when the disk is too
// slow to keep up the ring laps it and it writes a marker line saying how
// many bytes were not logged. So the port never waits for the disk.
//
// The worker never makes a blocking file write: bytes are formatted
// (timestamps, input lines; console_log_formatter.h) into a bounded buffer
// and written with io_uring, one write in flight, like a client's send.
// Writes are batched: one starts when kWriteBatchBytes of log text wait, or
// when the oldest has waited kWriteAfter (so a line reaches the file within
// about 0.2 s), or at shutdown. In the pty-rate benchmark the writes
// averaged about 11 KiB without batching and 64 KiB with it, and what
// logging adds to the CPU per GB fell by about half (docs/benchmarks.md,
// "Console logging"). The kernel completes a buffered write inline or on its own
// io-wq threads. A failed write (ENOSPC, EIO, ...) loses that buffer,
// counts it, is logged at most once a minute, and is retried after a
// second, so logging resumes by itself when space returns. Metadata
// operations (open, mkdir, the renames of a rotation) are made on the
// worker when a file is opened, reopened or rotated: rare, and not writes
// of data.
//
// Owned by its Port, on the port's worker thread.
#ifndef TTYHUB_ENGINE_CONSOLE_LOGGER_H_
#define TTYHUB_ENGINE_CONSOLE_LOGGER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "config/log_path.h"
#include "engine/console_log_formatter.h"
#include "engine/fanout_ring.h"
#include "engine/io_request.h"
#include "engine/logger.h"
#include "engine/port_stats.h"
#include "engine/worker_context.h"

namespace ttyhub {

class ConsoleLogger final : public IoHandler {
 public:
  // Formatted bytes waiting for the disk, at most (one buffer filling while
  // another is written): memory per streaming port is at most twice this,
  // given back once the port has been quiet for a tick.
  static constexpr size_t kBufferBytes = 128 * 1024;
  // A write starts once this much log text waits (bytes; half a buffer, so
  // the next batch fills while one is written) ...
  static constexpr size_t kWriteBatchBytes = kBufferBytes / 2;
  // ... or once the oldest waiting byte has waited this long. The port's
  // tick (100 ms) comes back to it, so text waits at most about 0.2 s.
  static constexpr std::chrono::milliseconds kWriteAfter{100};
  // A partial line is written after this much quiet on the device.
  static constexpr std::chrono::seconds kPartialLineAfter{1};
  // After a failed write or open, the next attempt waits this long.
  static constexpr std::chrono::seconds kRetryAfterWriteError{1};
  static constexpr std::chrono::seconds kRetryOpenEvery{5};
  // A file may pass its rotation size by this much to end the line in
  // progress (bytes); only a longer line is split across files.
  static constexpr uint64_t kRotateSlackBytes = 64 * 1024;

  // `port_name`, `device` and `tcp_port` fill the path template. `counters`
  // are the port's: log_written_bytes (log text, timestamps included),
  // log_dropped_bytes (console bytes not logged: device output, and client
  // input with `input: true`; never timestamps or markers), log_errors.
  ConsoleLogger(const ConsoleLogConfig& config, std::string port_name, std::string device,
                uint16_t tcp_port, const FanoutRing& ring, WorkerContext& ctx,
                PortCounters& counters);
  ~ConsoleLogger();
  ConsoleLogger(const ConsoleLogger&) = delete;
  ConsoleLogger& operator=(const ConsoleLogger&) = delete;

  // Opens the file, creating its directories. A failure is logged and
  // retried every kRetryOpenEvery; bytes meanwhile wait in the ring.
  void Start();
  // Bytes before ring position `position` are already in the log (the
  // ring was filled from it at start): they are not logged again.
  void SkipTo(uint64_t position);
  // The device's bytes up to ring.head() were just read.
  void OnDeviceData();
  // `bytes` were just written to the device on behalf of clients.
  void OnInput(std::span<const uint8_t> bytes);
  void OnTick(TimePoint now);
  // Closes and reopens the file (logrotate moved it). True if a file is
  // open, or will be as soon as the write in flight completes.
  bool Reopen();
  // Stops taking new work except what is in the ring: flushes every byte,
  // partial lines and input included. Idle() turns true when written, or
  // at once on Abort() (out of time: cancels the write in flight).
  void BeginShutdown();
  void Abort();
  bool Idle() const;

  // The file being written now; "" before one was opened.
  const std::string& path() const { return path_; }

  // History older than the ring (`history:` larger than `buffer:`): the
  // device's bytes before ring position `before`, read back from the log
  // files (the open one, then PATH.1, ...), at most `max_text_bytes` of log
  // text read. Empty when the files cannot give them exactly: the logger
  // has not yet written through `before`, lost bytes at or after it (a lap
  // or a failed write), or the file was reopened (what logrotate moved away
  // is not read). Blocking reads, bounded; see console_log_tail.h.
  absl::StatusOr<std::string> DeviceBytesBefore(uint64_t before, size_t max_text_bytes) const;

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;

 private:
  // When the device bytes ending at `end` were read (ms since the epoch).
  struct ReadStamp {
    uint64_t end;
    int64_t unix_ms;
  };
  static constexpr size_t kStamps = 64;

  int64_t TimeOf(uint64_t position) const;
  // Formats from the ring into pending_, then starts a write if none runs.
  void Pump();
  void Fill();
  void StartWrite();
  // Whether pending_ is to be written now rather than grow (batching).
  bool WriteDue() const;
  bool OpenFile();
  void CloseFile();
  void Rotate();
  // Closes and opens the file again (SIGUSR1, ttyhubctl logs reopen).
  bool ReopenNow();
  // The open file, as it is now, holds every device byte before cursor_.
  void MarkWrittenThrough();
  void NoteLoss(uint64_t bytes, const std::string& reason);
  void ReportError(const std::string& what, int err);
  static int64_t NowUnixMs();

  const ConsoleLogConfig config_;
  const std::string port_name_;
  const std::string device_;
  const uint16_t tcp_port_;
  const FanoutRing& ring_;
  WorkerContext& ctx_;
  PortCounters& counters_;
  ConsoleLogFormatter formatter_;

  IoRequest write_{this, 0};
  int fd_ = -1;
  std::string path_;
  // Written through: every device byte before `position` is in the first
  // `offset` bytes of file `base` (index 0), or of `base`.`index` once
  // rotations renamed it. Set when a buffer was wholly written to a
  // regular file (and at start); cleared by a reopen.
  struct WrittenThrough {
    std::string base;
    uint32_t index = 0;
    uint64_t offset = 0;
    uint64_t position = 0;
  };
  std::optional<WrittenThrough> written_through_;
  uint64_t writing_end_position_ = 0;  // cursor_ when writing_ was filled
  // Device bytes before this ring position may be missing from the files
  // (a lap or a failed write): history is not read back across it.
  uint64_t logged_from_ = 0;
  // How many of PATH.1, PATH.2, ... carry on the open file's text (not
  // files logrotate renamed before a reopen).
  uint32_t rotated_files_ours_ = 0;
  bool regular_file_ = false;  // the open file is a regular file (not a FIFO)
  uint64_t file_bytes_ = 0;    // size of the open file, for rotation
  // The open file ends with '\n' (or is empty): a rotation may come now.
  bool file_ends_line_ = true;
  // Whether anything was formatted yet (the first open may carry on the
  // previous run's partial line; later opens never touch the formatter).
  bool formatted_any_ = false;

  uint64_t cursor_ = 0;        // next ring position to format
  std::string pending_;        // formatted, waiting for the write in flight
  TimePoint pending_since_{};  // when pending_ last turned non-empty
  std::string writing_;        // the buffer being written
  size_t write_offset_ = 0;
  std::array<ReadStamp, kStamps> stamps_{};
  uint64_t stamp_count_ = 0;
  TimePoint last_read_{};

  // Bytes not logged since the last marker, and why.
  uint64_t unlogged_bytes_ = 0;
  std::string unlogged_reason_;
  bool failing_ = false;  // the last write or open failed
  std::string failure_reason_;
  int64_t next_daily_ms_ = 0;  // daily rotation: the next local midnight, ms since the epoch
  TimePoint retry_at_{};
  bool reopen_due_ = false;
  bool shutting_down_ = false;
  LogRateLimiter error_log_{std::chrono::seconds(60), 1};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONSOLE_LOGGER_H_
