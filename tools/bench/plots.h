// Plots (--plots DIR): gnuplot scripts and their data files, rendered to
// SVG: echo latency percentiles, fan-out scaling (aggregate MB/s and CPU per
// GB against the number of viewers), the slow-viewer timeline, and a
// throughput overview. The scripts stay in DIR, so a plot can be re-rendered
// or restyled without re-running the benchmark. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_PLOTS_H_
#define TTYHUB_TOOLS_BENCH_PLOTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/suite_results.h"

namespace ttyhub::bench {

// Writes the scripts and data into `dir` (created if needed) and renders
// them with gnuplot. Returns the SVG files written; an error if gnuplot is
// missing or fails (the scripts are written regardless).
absl::StatusOr<std::vector<std::string>> WritePlots(const SuiteResults& results,
                                                    const std::string& dir,
                                                    const std::string& scratch_dir);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_PLOTS_H_
