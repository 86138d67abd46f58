// One echo measurement: a warm-up, then messages one at a time for a
// number of seconds, then the round-trip percentiles. Shared by `echo`,
// `limits` and `idle_ports`. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_ECHO_SESSION_H_
#define TTYHUB_TOOLS_BENCH_ECHO_SESSION_H_

#include "absl/strings/string_view.h"
#include "tools/bench/echo_client.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/run_result.h"

namespace ttyhub::bench {

class PortFixture;

// Messages sent before timing starts.
inline constexpr uint64_t kEchoWarmupMessages = 50;

// Runs `client` (already started) for `seconds` after the warm-up and adds
// PREFIX_{p50,p90,p99,p99_9,max,mean}_us, PREFIX_samples and
// PREFIX_messages_per_s. With a `fixture`, also the server's (with a
// chained server's: PortFixture::MeasuredPids) and the
// machine's resource use over the timed window. Fails `result` if the
// echoes stop or do not verify.
void RunEchoSession(EventLoop& loop, EchoClient& client, double seconds, PortFixture* fixture,
                    absl::string_view prefix, RunResult* result);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_ECHO_SESSION_H_
