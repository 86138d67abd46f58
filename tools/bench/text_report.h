// The human report on stdout: the machine and how its cores were shared,
// then one table per scenario case with the median of each figure for each
// server side by side, failures and notes, and the targets with their
// measured ratios. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_TEXT_REPORT_H_
#define TTYHUB_TOOLS_BENCH_TEXT_REPORT_H_

#include <string>
#include <vector>

#include "tools/bench/suite_results.h"
#include "tools/bench/targets.h"

namespace ttyhub::bench {

std::string TextReport(const SuiteResults& results, const std::vector<TargetResult>& targets);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TEXT_REPORT_H_
