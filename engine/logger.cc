// Logger over spdlog's stderr sink, and the rate limiter. See logger.h.
#include "engine/logger.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "spdlog/logger.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace ttyhub {
namespace {

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// "%*" in the pattern: the sd-daemon priority prefix journald parses.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const char* prefix = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        prefix = "<7>";
        break;
      case spdlog::level::info:
        prefix = "<6>";
        break;
      case spdlog::level::warn:
        prefix = "<4>";
        break;
      case spdlog::level::err:
        prefix = "<3>";
        break;
      case spdlog::level::critical:
        prefix = "<2>";
        break;
      default:
        break;
    }
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SyslogPriorityFlag>();
  }
};

// True if stderr is the journal stream systemd gave us (see systemd.exec(5)).
bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  struct stat st;
  if (fstat(2, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

}  // namespace

Logger::Logger(LogLevel min_level) : min_level_(min_level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  impl_ = std::make_shared<spdlog::logger>("ttyhub", std::move(sink));
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (StderrIsJournal()) {
    formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  impl_->set_formatter(std::move(formatter));
  impl_->set_level(ToSpd(min_level));
  impl_->flush_on(spdlog::level::trace);
}

Logger::~Logger() = default;

void Logger::SetLevel(LogLevel level) {
  min_level_ = level;
  impl_->set_level(ToSpd(level));
}

void Logger::Log(LogLevel level, absl::string_view message) {
  if (!Enabled(level)) return;
  impl_->log(ToSpd(level), spdlog::string_view_t(message.data(), message.size()));
  if (observer_) observer_(level, message);
}

LogLevel Logger::ParseLevel(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "debug") return LogLevel::kDebug;
  if (n == "warn" || n == "warning") return LogLevel::kWarn;
  if (n == "error") return LogLevel::kError;
  return LogLevel::kInfo;
}

std::optional<uint64_t> LogRateLimiter::Admit(std::chrono::steady_clock::time_point now) {
  if (admitted_in_burst_ < burst_) {
    ++admitted_in_burst_;
    last_admitted_ = now;
    const uint64_t dropped = suppressed_;
    suppressed_ = 0;
    return dropped;
  }
  if (now - last_admitted_ >= interval_) {
    last_admitted_ = now;
    const uint64_t dropped = suppressed_;
    suppressed_ = 0;
    return dropped;
  }
  ++suppressed_;
  return std::nullopt;
}

bool LogBudget::Admit(TimePoint now) {
  if (admitted_ == 0 && suppressed_ == 0) {
    window_start_ = now;
  } else if (now - window_start_ >= window_) {
    // The previous window ended. Its suppressed count (if not yet taken by
    // TakeSuppressed) stays to be reported.
    window_start_ = now;
    admitted_ = 0;
  }
  if (admitted_ < per_window_) {
    ++admitted_;
    return true;
  }
  ++suppressed_;
  return false;
}

std::optional<uint64_t> LogBudget::TakeSuppressed(TimePoint now) {
  if (suppressed_ == 0 || now - window_start_ < window_) return std::nullopt;
  const uint64_t n = suppressed_;
  suppressed_ = 0;
  admitted_ = 0;
  return n;
}

}  // namespace ttyhub
