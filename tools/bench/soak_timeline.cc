// See soak_timeline.h.
#include "tools/bench/soak_timeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttyhub::bench {
namespace {

double MiB(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// `rows` merged into one: counts summed, maxima kept, the last "now" values.
SoakRow Merge(const std::vector<SoakRow>& rows, size_t from, size_t to) {
  SoakRow m = rows[to - 1];
  m.counts = SoakCounts{};
  for (size_t i = from; i < to; ++i) {
    m.counts.Add(rows[i].counts);
    m.rss_max_bytes = std::max(m.rss_max_bytes, rows[i].rss_max_bytes);
    m.fds_max = std::max(m.fds_max, rows[i].fds_max);
  }
  return m;
}

}  // namespace

SoakCounts SoakTimeline::Total() const {
  SoakCounts total;
  for (const SoakRow& r : rows_) total.Add(r.counts);
  return total;
}

std::string SoakTimeline::Table(size_t max_lines) const {
  std::string out = absl::StrFormat(
      "  %7s %8s %8s %5s %5s %7s %8s %6s %5s %6s %6s %7s %4s %6s %6s %8s %5s\n", "t_s", "rss_MiB",
      "rss_max", "fds", "fdmax", "clients", "sessions", "kicks", "cut", "probes", "stalls",
      "corruptB", "dup", "rwgaps", "errors", "verif_MB", "load");
  if (rows_.empty()) return out;
  const size_t per_line = std::max<size_t>(1, (rows_.size() + max_lines - 1) / max_lines);
  for (size_t from = 0; from < rows_.size(); from += per_line) {
    const SoakRow r = Merge(rows_, from, std::min(rows_.size(), from + per_line));
    const SoakCounts& c = r.counts;
    absl::StrAppend(
        &out,
        absl::StrFormat("  %7.0f %8.1f %8.1f %5d %5d %7d %8d %6d %5d %6d %6d %7d %4d %6d %6d "
                        "%8.1f %5.2f\n",
                        r.t_s, MiB(r.rss_bytes), MiB(r.rss_max_bytes), r.fds, r.fds_max, r.clients,
                        c.sessions_completed, c.kicks, c.cut_for_stall, c.probes, c.stalls,
                        c.corrupt_bytes, c.duplicate_jumps, c.rw_gaps, c.client_errors(),
                        static_cast<double>(c.verified_bytes) / 1e6, r.load_1m));
  }
  return out;
}

std::vector<Series> SoakTimeline::AsSeries() const {
  const std::string x_label = "time since the mix started (s)";
  std::vector<Series> series = {
      {"rss_MiB", x_label, "server VmRSS (MiB)", {}, {}},
      {"rss_max_MiB", x_label, "server VmRSS, highest in the interval (MiB)", {}, {}},
      {"fds", x_label, "server open descriptors", {}, {}},
      {"fds_max", x_label, "server open descriptors, highest in the interval", {}, {}},
      {"clients", x_label, "client connections open", {}, {}},
      {"sessions_completed", x_label, "client sessions ended in the interval", {}, {}},
      {"stalls", x_label, "stall probes without fresh data within 1 s", {}, {}},
      {"integrity_errors", x_label, "corrupt bytes + backward jumps + rw gaps", {}, {}},
      {"client_errors", x_label, "client errors in the interval", {}, {}},
      {"verified_MB", x_label, "device MB verified in the interval", {}, {}},
      {"load_1m", x_label, "machine load average (1 minute)", {}, {}},
  };
  for (const SoakRow& r : rows_) {
    const SoakCounts& c = r.counts;
    const double values[] = {MiB(r.rss_bytes),
                             MiB(r.rss_max_bytes),
                             static_cast<double>(r.fds),
                             static_cast<double>(r.fds_max),
                             static_cast<double>(r.clients),
                             static_cast<double>(c.sessions_completed),
                             static_cast<double>(c.stalls),
                             static_cast<double>(c.corrupt_bytes + c.duplicate_jumps + c.rw_gaps),
                             static_cast<double>(c.client_errors()),
                             static_cast<double>(c.verified_bytes) / 1e6,
                             r.load_1m};
    for (size_t i = 0; i < series.size(); ++i) {
      series[i].x.push_back(r.t_s);
      series[i].y.push_back(values[i]);
    }
  }
  return series;
}

}  // namespace ttyhub::bench
