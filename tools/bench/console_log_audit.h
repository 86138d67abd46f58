// The end of a ttyhub-log run: what the server says it logged and what its
// console log files hold, as figures, notes and findings of the run.
//
//  1. Before the stop, the counters of every port from the admin API
//     (GET /api/v1/ports: log_written_bytes, log_dropped_bytes, log_errors).
//  2. After the stop, when ttyhub has flushed every log, each port's files
//     are read back (console_log_check.h). Where the scenario said what the
//     port's device wrote (a pattern stream, to which offset), the log must
//     hold that stream up to its last byte, with nothing lost that no marker
//     announced, nothing corrupt or repeated, every line stamped, and stamps
//     within the run.
//
// Dropped bytes (markers) are figures: logging may fall behind by design.
// Anything else wrong with a log is a finding: the server at fault, exit
// status 3. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_CONSOLE_LOG_AUDIT_H_
#define TTYHUB_TOOLS_BENCH_CONSOLE_LOG_AUDIT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/run_result.h"
#include "tools/bench/server_plan.h"

namespace ttyhub::bench {

// One port's console log counters, as the admin API reports them.
struct PortLogCounters {
  uint64_t written_bytes = 0;  // written to the file, stamps included
  uint64_t dropped_bytes = 0;  // not logged (lapped, or a failed write)
  uint64_t errors = 0;         // failed writes, opens, rotations
  bool logging = false;        // the port's `log` is not null
};

// Reads every port's counters through the admin listener on `admin_tcp_port`,
// running `loop` until the answer comes or `timeout_s` passes. By port name.
absl::StatusOr<std::map<std::string, PortLogCounters>> FetchPortLogCounters(EventLoop& loop,
                                                                            uint16_t admin_tcp_port,
                                                                            double timeout_s);

// What a port's device wrote: the pattern stream `seed` from its start up to
// stream offset `end_offset`.
struct DeviceStream {
  uint64_t seed = 0;
  uint64_t end_offset = 0;
};

// The run's time span, ms since the Unix epoch: stamps must fall within it.
struct RunSpan {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

// Checks every port's log files under `log` (ports without an entry in
// `streams` for their lines only) and adds the figures, notes and findings
// to `result`. `counters` is what FetchPortLogCounters returned.
void AuditConsoleLogs(const PlannedConsoleLog& log, const std::vector<PlannedPort>& ports,
                      const std::map<size_t, DeviceStream>& streams,
                      const absl::StatusOr<std::map<std::string, PortLogCounters>>& counters,
                      const RunSpan& span, RunResult* result);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CONSOLE_LOG_AUDIT_H_
