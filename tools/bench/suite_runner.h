// Runs the selected scenarios against the selected servers, --reps times
// each, and collects every result. For each scenario, each repetition runs
// every server in turn (rather than all repetitions of one server, then the
// next), so slow drift in the machine's state spreads across servers. Stops
// early on SIGINT/SIGTERM. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SUITE_RUNNER_H_
#define TTYHUB_TOOLS_BENCH_SUITE_RUNNER_H_

#include <vector>

#include "tools/bench/interrupt_flag.h"
#include "tools/bench/progress.h"
#include "tools/bench/suite_results.h"
#include "tools/bench/temp_dir.h"

namespace ttyhub::bench {

// Fills results->cases and results->scenarios; uses results->options and
// results->servers.
void RunSuite(const TempDir& temp_dir, InterruptFlag& interrupt, const Progress& progress,
              const std::vector<int>& server_cpus, SuiteResults* results);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SUITE_RUNNER_H_
