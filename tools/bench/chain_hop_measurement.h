// What the chain scenario measures over one connected client, whether it
// reaches the device through one server or through two: first dev2net
// (the tool writes the pattern into the pty master in large blocks, the
// client reads it, every byte verified after a timed window, as the
// dev2net scenario does), then echo on the same connection (16-byte
// messages one at a time, echoed by the device, round-trip percentiles,
// verified both ways, as the echo scenario does). One connection for both,
// so that a listener with max_clients 1 never sees a reconnect. The
// servers' CPU is whatever the fixture's MeasuredPids name. The tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_CHAIN_HOP_MEASUREMENT_H_
#define TTYHUB_TOOLS_BENCH_CHAIN_HOP_MEASUREMENT_H_

#include <cstdint>

#include "tools/bench/port_fixture.h"
#include "tools/bench/run_result.h"
#include "tools/bench/scenario.h"

namespace ttyhub::bench {

// Measures through `client_fd` (connected, accepted, not owned) to port 0
// of `fixture`. `stream_id` picks the dev2net pattern (a different one per
// hop count, so that a stale byte of another measurement cannot pass as
// this one's). Adds MBps, server_cpu_s_per_GB and the window's figures to
// `dev2net`, and rtt_* to `echo`; fails either on its own. The echo is
// skipped (and `echo` failed) when dev2net broke the connection.
void MeasureChainHop(ScenarioContext& ctx, PortFixture& fixture, int client_fd, uint32_t stream_id,
                     RunResult* dev2net, RunResult* echo);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CHAIN_HOP_MEASUREMENT_H_
