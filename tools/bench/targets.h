// ttyhub's performance targets, evaluated on one run of the suite: each
// compares ttyhub with tuned ser2net measured in the same run, or with the
// raw limits measured in the same run; the cost of console logs compares
// ttyhub-log with ttyhub in the same run. A target whose inputs are missing
// (scenario not run, server not selected, a run failed or crashed) is "not
// evaluated", never "met". Pure functions; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_TARGETS_H_
#define TTYHUB_TOOLS_BENCH_TARGETS_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/bench/suite_results.h"

namespace ttyhub::bench {

enum class TargetStatus { kMet, kMissed, kNotEvaluated };

struct TargetResult {
  std::string id;           // "fanout_k64_aggregate"
  std::string requirement;  // "ttyhub aggregate >= 3 x ser2net-tuned"
  std::string measured;     // "812 MB/s vs 120 MB/s"
  std::optional<double> ratio;
  TargetStatus status = TargetStatus::kNotEvaluated;
  std::string reason;  // why not evaluated
};

std::vector<TargetResult> EvaluateTargets(const SuiteResults& results);

const char* TargetStatusName(TargetStatus s);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TARGETS_H_
