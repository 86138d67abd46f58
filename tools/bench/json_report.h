// The machine-readable report (--json FILE): everything in SuiteResults,
// every run's figures and the medians, the verification totals, and the
// targets. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_JSON_REPORT_H_
#define TTYHUB_TOOLS_BENCH_JSON_REPORT_H_

#include <string>
#include <vector>

#include "tools/bench/suite_results.h"
#include "tools/bench/targets.h"

namespace ttyhub::bench {

std::string JsonReport(const SuiteResults& results, const std::vector<TargetResult>& targets);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_JSON_REPORT_H_
