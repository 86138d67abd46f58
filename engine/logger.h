// Operational logging: one line per event on stderr.
//
// A Logger is created once by main() and handed by reference to everything
// that logs; there is no global logger. It is safe to call from any thread
// (spdlog's mutex-protected stderr sink writes each line with one write).
// When stderr is connected to the systemd journal (JOURNAL_STREAM), lines carry
// a "<N>" syslog priority prefix and no timestamp, as journald expects.
//
// Messages name their subject first: "port p0: client #3 [::1]:5555 (rw): ...".
#ifndef TTYHUB_ENGINE_LOGGER_H_
#define TTYHUB_ENGINE_LOGGER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace spdlog {
class logger;
}

namespace ttyhub {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  // Writes to stderr (fd 2).
  explicit Logger(LogLevel min_level);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void SetLevel(LogLevel level);
  bool Enabled(LogLevel level) const { return level >= min_level_; }

  void Log(LogLevel level, absl::string_view message);
  void Debug(absl::string_view m) { Log(LogLevel::kDebug, m); }
  void Info(absl::string_view m) { Log(LogLevel::kInfo, m); }
  void Warn(absl::string_view m) { Log(LogLevel::kWarn, m); }
  void Error(absl::string_view m) { Log(LogLevel::kError, m); }

  // Also hands every emitted line to `observer` (tests; later, log streaming).
  // Set it before other threads log.
  void SetObserver(std::function<void(LogLevel, absl::string_view)> observer) {
    observer_ = std::move(observer);
  }

  // "debug" | "info" | "warn" | "error"; anything else is kInfo.
  static LogLevel ParseLevel(absl::string_view name);

 private:
  LogLevel min_level_;
  std::shared_ptr<spdlog::logger> impl_;
  std::function<void(LogLevel, absl::string_view)> observer_;
};

// Keeps a repeating fault from flooding the log: admits `burst` messages, then
// at most one per `interval`, and reports how many were held back meanwhile.
// Owned by whatever reports the fault (a port's device, a listener); used only
// from its owner's thread.
class LogRateLimiter {
 public:
  LogRateLimiter(std::chrono::milliseconds interval, int burst)
      : interval_(interval), burst_(burst) {}

  // Returns nullopt if the message should be dropped; otherwise the number of
  // messages dropped since the last one admitted (0 if none).
  std::optional<uint64_t> Admit(std::chrono::steady_clock::time_point now);

  // Forget the history, e.g. after the fault cleared.
  void Reset() {
    admitted_in_burst_ = 0;
    suppressed_ = 0;
  }

 private:
  std::chrono::milliseconds interval_;
  int burst_;
  int admitted_in_burst_ = 0;
  uint64_t suppressed_ = 0;
  std::chrono::steady_clock::time_point last_admitted_{};
};

// Caps routine messages that can arrive in storms (a port's connects,
// disconnects and refusals): at most `per_window` lines in each `window`;
// the rest are counted, and TakeSuppressed hands the count over once the
// window has ended, so one summary line replaces them. Windows start at the
// first message after the previous window ended. Owned by a port; used only
// from its worker's thread.
class LogBudget {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  LogBudget(std::chrono::milliseconds window, uint32_t per_window)
      : window_(window), per_window_(per_window) {}

  // True if this message may be logged; false if it is to be counted only.
  bool Admit(TimePoint now);

  // Messages held back in a window that has ended (nullopt if none, or if
  // the window is still open); the count is then cleared.
  std::optional<uint64_t> TakeSuppressed(TimePoint now);

  std::chrono::milliseconds window() const { return window_; }
  uint32_t per_window() const { return per_window_; }

 private:
  std::chrono::milliseconds window_;
  uint32_t per_window_;
  uint32_t admitted_ = 0;    // in the current window
  uint64_t suppressed_ = 0;  // in the current (or just ended) window
  TimePoint window_start_{};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_LOGGER_H_
