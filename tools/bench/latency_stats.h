// Percentiles of latency samples, and the standard set of latency figures
// a scenario reports (p50, p90, p99, p99.9, max, in microseconds). Pure
// functions; any thread.
#ifndef TTYHUB_TOOLS_BENCH_LATENCY_STATS_H_
#define TTYHUB_TOOLS_BENCH_LATENCY_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/bench/run_result.h"

namespace ttyhub::bench {

// The p-th percentile (0..100) of `sorted` by the nearest-rank method.
double Percentile(const std::vector<double>& sorted, double p);

// Median of unsorted values (mean of the two middle ones for an even count).
double Median(std::vector<double> values);

// Adds PREFIX_p50_us, _p90_us, _p99_us, _p99_9_us, _max_us, _mean_us and
// PREFIX_samples for `samples_ns`.
void AddLatencyMetrics(absl::string_view prefix, const std::vector<int64_t>& samples_ns,
                       RunResult* result);

// The percentiles AddLatencyMetrics reports, as (label, percentile).
struct PercentileLabel {
  const char* suffix;  // "p99_9"
  double percentile;   // 99.9
};
std::vector<PercentileLabel> ReportedPercentiles();

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_LATENCY_STATS_H_
