// The soak scenario's notable events (every error, device hang-ups, long
// stalls), each with its time and where it happened. Each kind of event
// keeps at most a fixed number, so that a long run cannot grow the log
// without bound nor one frequent kind hide the others; what was dropped is
// counted per kind. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_EVENT_LOG_H_
#define TTYHUB_TOOLS_BENCH_SOAK_EVENT_LOG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/deadline.h"

namespace ttyhub::bench {

class SoakEventLog {
 public:
  SoakEventLog(Clock::time_point start, size_t max_per_kind)
      : start_(start), max_per_kind_(max_per_kind) {}

  // Records "t=12.3s p3 rfc2217/rw: refused as full" under `kind` (e.g. the
  // counter's name).
  void Add(const std::string& kind, const std::string& where, const std::string& what) {
    Kind& k = kinds_[kind];
    if (k.kept >= max_per_kind_) {
      ++k.dropped;
      return;
    }
    ++k.kept;
    events_.push_back(
        absl::StrFormat("t=%.1fs %s: %s", SecondsBetween(start_, Clock::now()), where, what));
  }
  const std::vector<std::string>& events() const { return events_; }
  // "refused_full: 33 more", one per kind that dropped any.
  std::vector<std::string> Dropped() const {
    std::vector<std::string> out;
    for (const auto& [kind, k] : kinds_) {
      if (k.dropped > 0) out.push_back(absl::StrCat(kind, ": ", k.dropped, " more not listed"));
    }
    return out;
  }

 private:
  struct Kind {
    size_t kept = 0;
    size_t dropped = 0;
  };
  Clock::time_point start_;
  size_t max_per_kind_;
  std::vector<std::string> events_;
  std::map<std::string, Kind> kinds_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_EVENT_LOG_H_
