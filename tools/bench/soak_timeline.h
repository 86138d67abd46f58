// The soak scenario's time series: one row per sampling interval with the
// server's memory (VmRSS) and open descriptors (/proc/PID/fd), now and the
// highest sampled in the interval, the clients connected, the machine's
// load average (others' work on a shared machine shows there), and what
// was counted in the interval (soak_counts.h). Renders itself as a text table
// and as Series for the JSON report and plots. Pure data; the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_SOAK_TIMELINE_H_
#define TTYHUB_TOOLS_BENCH_SOAK_TIMELINE_H_

#include <string>
#include <vector>

#include "tools/bench/run_result.h"
#include "tools/bench/soak_counts.h"

namespace ttyhub::bench {

struct SoakRow {
  double t_s = 0;              // seconds since the mix started, at the end of the interval
  uint64_t rss_bytes = 0;      // VmRSS at the end of the interval
  uint64_t rss_max_bytes = 0;  // highest VmRSS sampled in the interval (about once a second)
  int fds = 0;                 // open descriptors at the end of the interval
  int fds_max = 0;             // highest sampled in the interval
  int clients = 0;             // the tool's client connections open at the end
  double load_1m = 0;          // the machine's 1-minute load average at the end
  SoakCounts counts;           // counted in this interval
};

class SoakTimeline {
 public:
  void Add(const SoakRow& row) { rows_.push_back(row); }
  const std::vector<SoakRow>& rows() const { return rows_; }
  SoakCounts Total() const;

  // One line per row, with a header; at most `max_lines` rows (adjacent
  // rows merged when there are more: counts summed, maxima kept, the
  // last row's "now" values).
  std::string Table(size_t max_lines) const;
  // rss_MiB, rss_max_MiB, fds, fds_max, clients, and the per-interval
  // counts that matter over time (sessions, stalls, errors, verified MB).
  std::vector<Series> AsSeries() const;

 private:
  std::vector<SoakRow> rows_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_SOAK_TIMELINE_H_
