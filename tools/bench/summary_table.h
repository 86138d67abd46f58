// The summary: one row per headline figure (a chosen metric of a chosen
// case), one column per server, medians; rendered as text for the report
// and as Markdown (--markdown) for docs. A case that failed in some run
// shows "FAILED" (or the median of the runs that succeeded, marked).
// Pure functions over SuiteResults; the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_SUMMARY_TABLE_H_
#define TTYHUB_TOOLS_BENCH_SUMMARY_TABLE_H_

#include <string>
#include <vector>

#include "tools/bench/suite_results.h"
#include "tools/bench/targets.h"

namespace ttyhub::bench {

struct SummaryRow {
  std::string label;  // "dev2net throughput"
  std::string unit;
  std::vector<std::string> cells;  // one per column
};

struct SummaryTable {
  std::vector<std::string> columns;  // "raw limit", "ttyhub", ...
  std::vector<SummaryRow> rows;
};

SummaryTable BuildSummary(const SuiteResults& results);
std::string SummaryAsText(const SummaryTable& table);
// The summary and the targets as Markdown, with the run's context.
std::string SummaryAsMarkdown(const SuiteResults& results, const SummaryTable& table,
                              const std::vector<TargetResult>& targets);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SUMMARY_TABLE_H_
