// Echo after idle, with no server: the round trip of a 16-byte message
// through a raw pty or a loopback TCP pair whose echoing end runs on a
// thread of its own, first after an idle gap and then back to back. It is
// the floor under idle_ports' cold echo: a served echo wakes at least the
// threads this one wakes, so a machine whose idle CPUs are slow to wake
// (a VM whose vCPUs the host deschedules) shows it here first.
//
// Threads: the calling thread is the client (blocking poll with a
// deadline); one echo thread per measurement, joined before it returns.
#ifndef TTYHUB_TOOLS_BENCH_ECHO_AFTER_IDLE_H_
#define TTYHUB_TOOLS_BENCH_ECHO_AFTER_IDLE_H_

#include <cstddef>

#include "absl/status/statusor.h"

namespace ttyhub::bench {

struct EchoAfterIdle {
  double cold_p50_us = 0;  // median of the echoes right after the gap
  double warm_p50_us = 0;  // median of back-to-back echoes, the first ones skipped
};

struct EchoAfterIdleSpec {
  double idle_seconds = 1;    // quiet before the cold echoes
  int cold_echoes = 20;       // back to back after the gap, as idle_ports' cold ports
  int warm_echoes = 200;      // then back to back
  int warm_skipped = 50;      // of which the first are not counted
  size_t message_bytes = 16;  // at most 256
};

// `client_fd` and `echo_fd` are the two ends (non-blocking, not owned).
// Fails if an echo does not come back whole within 5 s.
absl::StatusOr<EchoAfterIdle> MeasureEchoAfterIdle(int client_fd, int echo_fd,
                                                   const EchoAfterIdleSpec& spec);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_ECHO_AFTER_IDLE_H_
