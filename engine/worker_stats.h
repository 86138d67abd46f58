// Per-worker counters, declared once as an X-macro (as the port counters in
// port_stats.h are) so that Prometheus, JSON and ttyhubctl iterate one list.
//
// Written only on the worker's thread; other threads get copies through
// the worker's inbox (WorkerSnapshot).
#ifndef TTYHUB_ENGINE_WORKER_STATS_H_
#define TTYHUB_ENGINE_WORKER_STATS_H_

#include <cstdint>

namespace ttyhub {

// X(name, help). Units are in the names: events, unless a name ends in a unit.
#define TTYHUB_WORKER_COUNTERS(X)                                                              \
  X(loop_iterations, "Event loop iterations (one io_uring_enter each).")                       \
  X(completions, "io_uring completions dispatched.")                                           \
  X(sq_full, "Times the submission queue was full and had to be submitted early.")             \
  X(cq_overflow,                                                                               \
    "Event loop iterations that found completions waiting in the kernel's overflow list "      \
    "(the completion queue was full; none is lost, each waits for a later iteration).")        \
  X(inbox_messages,                                                                            \
    "Control messages the worker received (stats requests, commands, "                         \
    "stop).")                                                                                  \
  X(busy_poll_microseconds,                                                                    \
    "Time spent polling for completions instead of sleeping (latency: low); "                  \
    "microseconds in JSON, seconds in Prometheus.")                                            \
  X(busy_poll_waits_saved, "Busy polls that found a completion, so the worker did not sleep.") \
  X(busy_poll_budget_exhausted,                                                                \
    "One-second periods in which the busy_poll budget ran out and the worker "                 \
    "slept as usual.")

struct WorkerCounters {
#define TTYHUB_DECLARE_WORKER_COUNTER(name, help) uint64_t name = 0;
  TTYHUB_WORKER_COUNTERS(TTYHUB_DECLARE_WORKER_COUNTER)
#undef TTYHUB_DECLARE_WORKER_COUNTER
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_WORKER_STATS_H_
