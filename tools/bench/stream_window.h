// The measurement the streaming scenarios (dev2net, net2dev, many_ports,
// fanout) share: start a StreamGroup, wait until every reader has its first
// bytes, measure for a window, then stop the writers and let every reader
// drain, so that the streams can be verified to their last byte. The
// tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_STREAM_WINDOW_H_
#define TTYHUB_TOOLS_BENCH_STREAM_WINDOW_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "tools/bench/measurement_window.h"
#include "tools/bench/port_fixture.h"
#include "tools/bench/run_result.h"
#include "tools/bench/stream_group.h"

namespace ttyhub::bench {

struct StreamWindowLimits {
  double window_s;  // the measured window
  double join_s;    // deadline for every reader's first bytes
  double drain_s;   // deadline for the readers to drain after the window
};

struct StreamWindow {
  MeasurementWindow window;        // stopped at the end of the window
  std::vector<uint64_t> received;  // bytes each reader received in the window
  std::vector<uint64_t> written;   // bytes each writer wrote in the window

  uint64_t total_received() const;
};

// Returns nullopt, with `result` failed, when the group cannot start or not
// every reader joined in time. Otherwise returns the window's figures; a
// failure while streaming or draining is recorded in `result` (the figures
// are still returned, and the streams are not yet verified: call
// group.Verify).
std::optional<StreamWindow> MeasureStreamWindow(PortFixture& fixture, StreamGroup& group,
                                                const StreamWindowLimits& limits,
                                                RunResult* result);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_STREAM_WINDOW_H_
