// Console log writer. See console_logger.h.
#include "engine/console_logger.h"

#include <fcntl.h>
#include <liburing.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/console_log_tail.h"
#include "engine/event_loop.h"

namespace ttyhub {
namespace {

// Creates the directories above `path` (mode 0750), as `mkdir -p` would.
// Errors surface when the file itself is opened.
void MakeParentDirectories(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return;
  }
}

// Milliseconds since the epoch at the next local midnight after `unix_ms`.
int64_t NextLocalMidnightMs(int64_t unix_ms) {
  const time_t now = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  localtime_r(&now, &tm);
  tm.tm_mday += 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm)) * 1000;
}

}  // namespace

ConsoleLogger::ConsoleLogger(const ConsoleLogConfig& config, std::string port_name,
                             std::string device, uint16_t tcp_port, const FanoutRing& ring,
                             WorkerContext& ctx, PortCounters& counters)
    : config_(config),
      port_name_(std::move(port_name)),
      device_(std::move(device)),
      tcp_port_(tcp_port),
      ring_(ring),
      ctx_(ctx),
      counters_(counters),
      formatter_(config.timestamps, config.input) {}

ConsoleLogger::~ConsoleLogger() { CloseFile(); }

int64_t ConsoleLogger::NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ConsoleLogger::Start() {
  cursor_ = ring_.head();
  logged_from_ = cursor_;
  rotated_files_ours_ = config_.keep;  // a previous run's rotations, as far as anyone knows
  if (OpenFile()) MarkWrittenThrough();
}

void ConsoleLogger::SkipTo(uint64_t position) {
  cursor_ = position;
  if (fd_ >= 0) MarkWrittenThrough();
}

void ConsoleLogger::MarkWrittenThrough() {
  if (!regular_file_) return;
  written_through_ = WrittenThrough{path_, 0, file_bytes_, cursor_};
}

void ConsoleLogger::OnDeviceData() {
  stamps_[stamp_count_++ % kStamps] = {ring_.head(), NowUnixMs()};
  last_read_ = ctx_.now;
  Pump();
}

void ConsoleLogger::OnInput(std::span<const uint8_t> bytes) {
  if (!config_.input) return;
  if (const size_t dropped = formatter_.AddInput(bytes, NowUnixMs()); dropped > 0) {
    NoteLoss(dropped, "client input queue full");
  }
}

int64_t ConsoleLogger::TimeOf(uint64_t position) const {
  if (stamp_count_ == 0) return NowUnixMs();
  // Stamps are in ring order; the first whose read ended after `position`
  // is the read that brought that byte. Older stamps were overwritten: the
  // oldest kept is then the best answer (never later than the truth by
  // more than the logger was behind).
  const uint64_t first = stamp_count_ > kStamps ? stamp_count_ - kStamps : 0;
  for (uint64_t i = stamp_count_; i > first; --i) {
    if (stamps_[(i - 1) % kStamps].end <= position) {
      return i < stamp_count_ ? stamps_[i % kStamps].unix_ms : stamps_[(i - 1) % kStamps].unix_ms;
    }
  }
  return stamps_[first % kStamps].unix_ms;
}

void ConsoleLogger::Pump() {
  Fill();
  StartWrite();
}

void ConsoleLogger::Fill() {
  const bool was_empty = pending_.empty();
  if (const uint64_t lapped = ring_.CatchUp(&cursor_); lapped > 0) {
    NoteLoss(lapped, failing_ ? failure_reason_ : "disk too slow");
    logged_from_ = cursor_;
  }
  if (unlogged_bytes_ > 0 && pending_.size() < kBufferBytes) {
    formatter_.Marker(absl::StrCat(unlogged_bytes_, " bytes not logged (", unlogged_reason_, ")"),
                      NowUnixMs(), &pending_);
    unlogged_bytes_ = 0;
    unlogged_reason_.clear();
  }
  formatted_any_ = formatted_any_ || cursor_ != ring_.head() || formatter_.has_pending_input();
  const bool flush = shutting_down_ || ctx_.now - last_read_ >= kPartialLineAfter;
  const auto time_of = [this](uint64_t position) { return TimeOf(position); };
  while (pending_.size() < kBufferBytes && cursor_ < ring_.head()) {
    const std::span<const uint8_t> data =
        ring_.ReadableSpan(cursor_, static_cast<size_t>(ring_.head() - cursor_));
    const size_t n =
        formatter_.FormatOutput(data, cursor_, time_of, flush, kBufferBytes, &pending_);
    if (n == 0) break;
    cursor_ += n;
  }
  // Input lines go between output lines, so only once output written so
  // far is complete (or, after the quiet second, its partial line ended).
  if (cursor_ == ring_.head() || !formatter_.mid_line()) formatter_.FormatInput(flush, &pending_);
  if (was_empty && !pending_.empty()) pending_since_ = ctx_.now;
}

bool ConsoleLogger::WriteDue() const {
  return pending_.size() >= kWriteBatchBytes || shutting_down_ ||
         ctx_.now - pending_since_ >= kWriteAfter;
}

void ConsoleLogger::StartWrite() {
  if (write_.in_flight) return;
  if (reopen_due_) {
    reopen_due_ = false;
    ReopenNow();
  }
  if (fd_ < 0 || (failing_ && ctx_.now < retry_at_)) return;
  if (write_offset_ >= writing_.size()) {
    writing_.clear();
    write_offset_ = 0;
    if (pending_.empty() || !WriteDue()) return;
    std::swap(writing_, pending_);
    writing_end_position_ = cursor_;
  }
  size_t len = writing_.size() - write_offset_;
  const char* base = writing_.data() + write_offset_;
  if (!file_ends_line_ && file_bytes_ > 0 &&
      (config_.rotate_bytes == 0 || file_bytes_ < config_.rotate_bytes + kRotateSlackBytes)) {
    // A line is in progress in this file: it ends here before any rotation
    // (a rotation never splits a line, or stamps its rest a second time).
    if (const void* nl = memchr(base, '\n', len); nl != nullptr) {
      len = static_cast<size_t>(static_cast<const char*>(nl) - base) + 1;
    }
  } else {
    if (config_.daily && NowUnixMs() >= next_daily_ms_) Rotate();
    if (config_.rotate_bytes > 0 && file_bytes_ >= config_.rotate_bytes) Rotate();
    if (fd_ < 0) return;
    if (config_.rotate_bytes > 0 && file_bytes_ + len > config_.rotate_bytes) {
      // End this file at the last line end that fits; if none does, start
      // the next file now. Only a line longer than the size is split.
      const size_t room = static_cast<size_t>(config_.rotate_bytes - file_bytes_);
      const void* nl = memrchr(base, '\n', room);
      if (nl != nullptr) {
        len = static_cast<size_t>(static_cast<const char*>(nl) - base) + 1;
      } else if (file_bytes_ > 0) {
        Rotate();
        if (fd_ < 0) return;
        if (len > config_.rotate_bytes) {
          nl = memrchr(base, '\n', static_cast<size_t>(config_.rotate_bytes));
          len = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - base) + 1
                              : static_cast<size_t>(config_.rotate_bytes);
        }
      } else {
        len = room;  // an empty file and a line longer than the size
      }
    }
  }
  // Offset -1: the file position (O_APPEND: the end).
  io_uring_prep_write(ctx_.loop->Prepare(write_), fd_, writing_.data() + write_offset_,
                      static_cast<unsigned>(len), static_cast<uint64_t>(-1));
}

void ConsoleLogger::OnIoComplete(IoRequest&, int32_t res, uint32_t) {
  if (res == -ECANCELED && shutting_down_) {
    writing_.clear();
    write_offset_ = 0;
    return;
  }
  if (res > 0) {
    file_ends_line_ = writing_[write_offset_ + static_cast<size_t>(res) - 1] == '\n';
    write_offset_ += static_cast<size_t>(res);
    file_bytes_ += static_cast<uint64_t>(res);
    counters_.log_written_bytes += static_cast<uint64_t>(res);
    if (write_offset_ == writing_.size() && regular_file_) {
      written_through_ = WrittenThrough{path_, 0, file_bytes_, writing_end_position_};
    }
    if (failing_) {
      failing_ = false;
      error_log_.Reset();
      ctx_.log->Info(absl::StrCat("port ", port_name_, ": console log ", path_, ": writing again"));
    }
    Pump();
    return;
  }
  const int err = res == 0 ? EIO : -res;
  // Counted as the console bytes the lost text carried, as laps count them
  // (not its timestamps and markers).
  const uint64_t lost = ContentBytesInLogText(absl::string_view(writing_).substr(write_offset_),
                                              !file_ends_line_, config_.timestamps, config_.input);
  writing_.clear();
  write_offset_ = 0;
  logged_from_ = std::max(logged_from_, writing_end_position_);
  ReportError("write failed", err);
  NoteLoss(lost, failure_reason_);
}

bool ConsoleLogger::OpenFile() {
  const auto now = std::chrono::system_clock::now();
  path_ = ExpandLogPath(config_.path, {port_name_, device_, tcp_port_}, now);
  MakeParentDirectories(path_);
  // O_NONBLOCK: opening a FIFO with no reader must fail, not block the
  // worker. It is cleared below so io_uring waits on a full FIFO itself.
  constexpr int kFlags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  int fd = open(path_.c_str(), kFlags | O_CREAT | O_EXCL, 0640);
  const bool created = fd >= 0;
  if (fd < 0 && errno == EEXIST) fd = open(path_.c_str(), kFlags);
  if (fd < 0) {
    ReportError("open failed", errno);
    retry_at_ = ctx_.now + kRetryOpenEvery;
    return false;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    close(fd);
    ReportError("open failed: not a regular file or FIFO", 0);
    retry_at_ = ctx_.now + kRetryOpenEvery;
    return false;
  }
  // The umask must not widen or narrow what operators were promised.
  if (created) (void)fchmod(fd, 0640);
  if (const int fl = fcntl(fd, F_GETFL); fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  fd_ = fd;
  regular_file_ = S_ISREG(st.st_mode);
  file_bytes_ = regular_file_ ? static_cast<uint64_t>(st.st_size) : 0;
  // Carry on the file's last line: a previous run may have left a partial
  // line (it then continues without a new timestamp); a new file starts
  // with a timestamp whatever the line state was.
  // (The log fd is write-only: read through a second one.)
  char last = '\n';
  if (file_bytes_ > 0) {
    if (const int rfd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        rfd >= 0) {
      if (pread(rfd, &last, 1, static_cast<off_t>(file_bytes_ - 1)) != 1) last = '\n';
      close(rfd);
    }
  }
  file_ends_line_ = last == '\n';
  // Carry on a partial line a previous run left in the file. Only before
  // anything was formatted: at a rotation or reopen, the formatter already
  // knows where the text it made stands (the rest of a line in progress
  // continues it, without a new timestamp).
  if (!formatted_any_) formatter_.set_mid_line(!file_ends_line_);
  next_daily_ms_ = NextLocalMidnightMs(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  if (failing_) {
    failing_ = false;
    error_log_.Reset();
    ctx_.log->Info(absl::StrCat("port ", port_name_, ": console log ", path_, ": open again"));
  }
  return true;
}

void ConsoleLogger::CloseFile() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void ConsoleLogger::Rotate() {
  // Precondition: no write in flight (StartWrite calls this only then).
  const std::string base = path_;
  CloseFile();
  // The oldest goes first, so that no rename below replaces a file: ext4
  // (auto_da_alloc) flushes a file renamed over another, which the
  // logging benchmark saw cost the worker at pty rates.
  const std::string oldest = absl::StrCat(base, ".", config_.keep);
  if (unlink(oldest.c_str()) != 0 && errno != ENOENT) {
    ReportError(absl::StrCat("rotation failed removing ", oldest), errno);
  }
  for (uint32_t k = config_.keep; k >= 2; --k) {
    const std::string from = absl::StrCat(base, ".", k - 1);
    const std::string to = absl::StrCat(base, ".", k);
    if (rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      ReportError(absl::StrCat("rotation failed renaming ", from), errno);
    }
  }
  if (rename(base.c_str(), absl::StrCat(base, ".1").c_str()) != 0 && errno != ENOENT) {
    ReportError("rotation failed", errno);
    written_through_.reset();  // the files are not where history would look
  } else if (written_through_ && written_through_->base == base) {
    if (++written_through_->index > config_.keep) written_through_.reset();
  }
  rotated_files_ours_ = std::min(rotated_files_ours_ + 1, config_.keep);
  if (OpenFile() && file_bytes_ >= config_.rotate_bytes && config_.rotate_bytes > 0) {
    // The rename failed and the same file came back: rotate again only
    // after another rotate size, not before every write.
    file_bytes_ = 0;
  }
}

bool ConsoleLogger::ReopenNow() {
  // What logrotate moved away is not read back for history, nor are the
  // PATH.N it may have made.
  written_through_.reset();
  rotated_files_ours_ = 0;
  CloseFile();
  if (!OpenFile()) return false;
  MarkWrittenThrough();
  return true;
}

bool ConsoleLogger::Reopen() {
  if (shutting_down_) return false;
  if (write_.in_flight) {
    reopen_due_ = true;
    return true;
  }
  const bool open = ReopenNow();
  Pump();
  return open;
}

absl::StatusOr<std::string> ConsoleLogger::DeviceBytesBefore(uint64_t before,
                                                             size_t max_text_bytes) const {
  if (!written_through_ || written_through_->position < before || before < logged_from_) {
    return std::string();
  }
  const WrittenThrough& wt = *written_through_;
  std::vector<std::string> files;
  for (uint32_t i = wt.index; i <= rotated_files_ours_; ++i) {
    files.push_back(i == 0 ? wt.base : absl::StrCat(wt.base, ".", i));
  }
  if (files.empty()) return std::string();
  absl::StatusOr<FileTail> tail = ReadLogTextBefore(files, wt.offset, max_text_bytes);
  if (!tail.ok()) return tail.status();
  std::string bytes =
      DeviceBytesFromLogText(tail->text, tail->from_file_start, config_.timestamps, config_.input);
  // The files end at wt.position; the ring already holds [before, position).
  const uint64_t overlap = wt.position - before;
  if (bytes.size() < overlap) return std::string();
  bytes.resize(bytes.size() - static_cast<size_t>(overlap));
  return bytes;
}

void ConsoleLogger::OnTick(TimePoint now) {
  if (fd_ < 0 && !shutting_down_ && now >= retry_at_) OpenFile();
  Pump();  // partial lines after the quiet second; retries after an error
  // A quiet port gives its buffers back (up to 2 x kBufferBytes after a
  // burst): a console server has thousands of mostly quiet ports.
  if (!write_.in_flight && pending_.empty() && writing_.empty()) {
    std::string().swap(pending_);
    std::string().swap(writing_);
  }
}

void ConsoleLogger::BeginShutdown() {
  shutting_down_ = true;
  Pump();
}

void ConsoleLogger::Abort() {
  shutting_down_ = true;
  pending_.clear();
  ctx_.loop->Cancel(write_);
}

bool ConsoleLogger::Idle() const {
  if (write_.in_flight) return false;
  if (fd_ < 0 || failing_) return true;  // nothing can be written now
  return pending_.empty() && write_offset_ >= writing_.size() && cursor_ == ring_.head() &&
         !formatter_.has_pending_input();
}

void ConsoleLogger::NoteLoss(uint64_t bytes, const std::string& reason) {
  counters_.log_dropped_bytes += bytes;
  if (unlogged_bytes_ == 0) unlogged_reason_ = reason;
  unlogged_bytes_ += bytes;
}

void ConsoleLogger::ReportError(const std::string& what, int err) {
  ++counters_.log_errors;
  failing_ = true;
  failure_reason_ = err != 0 ? absl::StrCat(what, ": ", std::strerror(err)) : what;
  retry_at_ = ctx_.now + kRetryAfterWriteError;
  if (error_log_.Admit(ctx_.now)) {
    ctx_.log->Warn(absl::StrCat("port ", port_name_, ": console log ", path_, ": ", failure_reason_,
                                "; console data not logged meanwhile is counted in "
                                "ttyhub_port_log_dropped_bytes_total (logged at most once a "
                                "minute; retrying)"));
  }
}

}  // namespace ttyhub
