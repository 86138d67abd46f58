// LineErrorMonitor: turns UART error counters into an operator warning.
//
// The article this project grew from lost hours to a wrong parity setting
// that nothing reported. A port samples TIOCGICOUNT about once a second and
// feeds it here; when parity or framing errors rose within the window, the
// monitor returns a warning such as
//   port sw1: 312 parity errors in the last 10 s with 9600N81: check parity and baud
// at most once per `repeat` interval. Pure logic, owned by one Port.
#ifndef TTYHUB_ENGINE_LINE_ERROR_MONITOR_H_
#define TTYHUB_ENGINE_LINE_ERROR_MONITOR_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/uart_counters.h"
#include "engine/worker_context.h"

namespace ttyhub {

class LineErrorMonitor {
 public:
  explicit LineErrorMonitor(std::chrono::seconds window = std::chrono::seconds(10),
                            std::chrono::seconds repeat = std::chrono::seconds(60))
      : window_(window), repeat_(repeat) {}

  // Adds a sample. Returns a warning to log, or nullopt. `port` and `serial`
  // ("9600N81") are quoted in the message.
  std::optional<std::string> Sample(TimePoint now, const UartCounters& c, absl::string_view port,
                                    absl::string_view serial);

  // The device was reopened: counters restart from the new baseline.
  void Reset() { samples_.clear(); }

 private:
  struct Point {
    TimePoint at;
    uint64_t parity;
    uint64_t frame;
  };
  std::chrono::seconds window_;
  std::chrono::seconds repeat_;
  // Oldest first; about window_ / sample interval points (a dozen). A vector,
  // not a deque: it allocates nothing until the first sample, and most ports
  // (ptys, USB adapters without TIOCGICOUNT) never get one; libstdc++'s
  // deque allocated 568 bytes at construction (issue 14).
  std::vector<Point> samples_;
  std::optional<TimePoint> last_warning_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_LINE_ERROR_MONITOR_H_
