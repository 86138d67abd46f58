// See latency_stats.h.
#include "tools/bench/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace ttyhub::bench {

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const size_t index =
      static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size())));
  return sorted[index - 1];
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::vector<PercentileLabel> ReportedPercentiles() {
  return {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}, {"max", 100}};
}

void AddLatencyMetrics(absl::string_view prefix, const std::vector<int64_t>& samples_ns,
                       RunResult* result) {
  std::vector<double> us;
  us.reserve(samples_ns.size());
  for (int64_t ns : samples_ns) us.push_back(static_cast<double>(ns) / 1000.0);
  std::sort(us.begin(), us.end());
  for (const PercentileLabel& p : ReportedPercentiles()) {
    result->Add(absl::StrCat(prefix, "_", p.suffix, "_us"), Percentile(us, p.percentile), "us");
  }
  const double mean =
      us.empty() ? 0 : std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  result->Add(absl::StrCat(prefix, "_mean_us"), mean, "us");
  result->Add(absl::StrCat(prefix, "_samples"), static_cast<double>(us.size()), "");
}

}  // namespace ttyhub::bench
