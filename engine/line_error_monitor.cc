// Parity/framing warning logic. See line_error_monitor.h.
#include "engine/line_error_monitor.h"

#include <cstddef>

#include "absl/strings/str_cat.h"

namespace ttyhub {

std::optional<std::string> LineErrorMonitor::Sample(TimePoint now, const UartCounters& c,
                                                    absl::string_view port,
                                                    absl::string_view serial) {
  // Counters only grow while the device stays open; a drop means a reopen.
  if (!samples_.empty() && (c.parity < samples_.back().parity || c.frame < samples_.back().frame)) {
    samples_.clear();
  }
  samples_.push_back({now, c.parity, c.frame});
  // Drop the points that left the window, keeping the newest one before it
  // as the baseline; one erase for all of them.
  size_t drop = 0;
  while (samples_.size() - drop > 1 && now - samples_[drop + 1].at >= window_) ++drop;
  samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(drop));
  const Point& first = samples_.front();
  const uint64_t parity = c.parity - first.parity;
  const uint64_t frame = c.frame - first.frame;
  if (parity == 0 && frame == 0) return std::nullopt;
  if (last_warning_ && now - *last_warning_ < repeat_) return std::nullopt;
  last_warning_ = now;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - first.at).count();
  std::string what;
  if (parity > 0) absl::StrAppend(&what, parity, " parity error", parity == 1 ? "" : "s");
  if (parity > 0 && frame > 0) what += " and ";
  if (frame > 0) absl::StrAppend(&what, frame, " framing error", frame == 1 ? "" : "s");
  return absl::StrCat("port ", port, ": ", what, " in the last ", seconds, " s with ", serial,
                      ": check parity and baud");
}

}  // namespace ttyhub
