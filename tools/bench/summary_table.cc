// See summary_table.h.
#include "tools/bench/summary_table.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/bench/chain_comparison.h"

namespace ttyhub::bench {
namespace {

struct Headline {
  std::string case_name;
  std::string metric;
  std::string label;
  // For the "raw limit" column: the limits metric to show, if any.
  std::string limit_metric;
};

std::vector<Headline> Headlines(const SuiteResults& r) {
  std::vector<Headline> h = {
      {"dev2net", "MBps", "dev2net: throughput", "pty_master_to_slave_MBps"},
      {"dev2net", "server_cpu_s_per_GB", "dev2net: server CPU per GB", ""},
      {"dev2net", "log_dropped_bytes", "dev2net: console log, bytes not logged", ""},
      {"net2dev", "MBps", "net2dev: throughput", "pty_slave_to_master_MBps"},
      {"net2dev", "server_cpu_s_per_GB", "net2dev: server CPU per GB", ""},
      {"echo", "rtt_p50_us", "echo: RTT p50", "pty_echo_p50_us"},
      {"echo", "rtt_p90_us", "echo: RTT p90", "pty_echo_p90_us"},
      {"echo", "rtt_p99_us", "echo: RTT p99", "pty_echo_p99_us"},
      {"echo", "rtt_p99_9_us", "echo: RTT p99.9", "pty_echo_p99_9_us"},
      {"echo", "rtt_max_us", "echo: RTT max", "pty_echo_max_us"},
      {"many_ports", "aggregate_MBps", "many_ports: aggregate", ""},
      {"many_ports", "fairness_min_over_max", "many_ports: fairness (min/max port)", ""},
      {"many_ports", "server_cpu_s_per_GB", "many_ports: server CPU per GB", ""},
      {"many_ports", "log_dropped_bytes", "many_ports: console log, bytes not logged", ""},
  };
  for (int k : r.options.fanout_viewers) {
    const std::string c = absl::StrCat("fanout_k", k);
    h.push_back({c, "aggregate_MBps", absl::StrCat("fanout ", k, ": aggregate"), ""});
    h.push_back({c, "per_client_min_MBps", absl::StrCat("fanout ", k, ": slowest client"), ""});
    h.push_back({c, "server_cpu_s_per_GB_input",
                 absl::StrCat("fanout ", k, ": server CPU per GB of input"), ""});
    h.push_back({c, "tool_cpu_pct", absl::StrCat("fanout ", k, ": tool CPU"), ""});
  }
  const std::vector<Headline> rest = {
      {"slow_viewer", "fast_unimpeded_MBps", "slow_viewer: fast client, both reading", ""},
      {"slow_viewer", "fast_during_stall_min_MBps",
       "slow_viewer: fast client, worst bucket in stall", ""},
      {"slow_viewer", "fast_min_over_unimpeded", "slow_viewer: worst bucket / unimpeded", ""},
      {"slow_viewer", "fast_baseline_min_over_median", "slow_viewer: same, before the stall", ""},
      {"slow_viewer", "fast_median_over_unimpeded",
       "slow_viewer: median bucket in stall / unimpeded", ""},
      {"idle_ports", "ports", "idle_ports: ports", ""},
      {"idle_ports", "rss_per_port_KiB", "idle_ports: RSS per idle port", ""},
      {"idle_ports", "rss_per_port_after_message_KiB", "idle_ports: RSS per port after 16 B", ""},
      {"idle_ports", "rss_per_port_settled_KiB", "idle_ports: RSS per port 3 s later", ""},
      {"idle_ports", "rss_per_port_after_device_message_KiB",
       "idle_ports: RSS per port after 16 B out", ""},
      {"idle_ports", "idle_cpu_pct", "idle_ports: idle CPU", ""},
      {"idle_ports", "warm_echo_p50_us", "idle_ports: warm echo p50", ""},
      {"idle_ports", "cold_echo_p50_us", "idle_ports: cold echo p50", ""},
      {"idle_ports", "cold_over_warm_p50", "idle_ports: cold over warm echo",
       "raw_echo_cold_over_warm_p50"},
      {"connect_storm", "sessions_per_s", "connect_storm: sessions per second", ""},
      {"connect_storm", "failures", "connect_storm: failed sessions", ""},
      {"connect_storm", "first_byte_p50_us", "connect_storm: connect to first byte p50", ""},
      {"chain_1hop_dev2net", "MBps", "chain, 1 hop: dev2net throughput", ""},
      {"chain_2hop_dev2net", "MBps", "chain, 2 hops: dev2net throughput", ""},
      {"chain_1hop_echo", "rtt_p50_us", "chain, 1 hop: echo RTT p50", ""},
      {"chain_2hop_echo", "rtt_p50_us", "chain, 2 hops: echo RTT p50", ""},
      {"chain_1hop_echo", "rtt_p99_us", "chain, 1 hop: echo RTT p99", ""},
      {"chain_2hop_echo", "rtt_p99_us", "chain, 2 hops: echo RTT p99", ""},
      {"chain_1hop_echo", "rtt_p99_9_us", "chain, 1 hop: echo RTT p99.9", ""},
      {"chain_2hop_echo", "rtt_p99_9_us", "chain, 2 hops: echo RTT p99.9", ""},
      {"soak", "soak_s", "soak: duration", ""},
      {"soak", "rss_max_MiB", "soak: server RSS, highest", ""},
      {"soak", "fds_max", "soak: server fds, highest", ""},
      {"soak", "sessions_completed", "soak: client sessions completed", ""},
      {"soak", "stalls", "soak: stalls", ""},
      {"soak", "client_errors", "soak: client errors", ""},
  };
  h.insert(h.end(), rest.begin(), rest.end());
  return h;
}

std::string Format(double v) {
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 1000) return absl::StrFormat("%.0f", v);
  if (a >= 100) return absl::StrFormat("%.0f", v);
  if (a >= 10) return absl::StrFormat("%.1f", v);
  if (a >= 1) return absl::StrFormat("%.2f", v);
  return absl::StrFormat("%.3f", v);
}

std::string Cell(const CaseRuns* c, const std::string& metric) {
  if (c == nullptr || c->runs.empty()) return "";
  const std::optional<double> v = c->Median(metric);
  if (c->ok_runs() == 0) return "FAILED";
  if (!v) return "";
  std::string cell = Format(*v);
  if (!c->all_ok()) {
    absl::StrAppend(&cell, " (", c->ok_runs(), "/", c->runs.size(), " ok)");
  }
  return cell;
}

}  // namespace

SummaryTable BuildSummary(const SuiteResults& r) {
  SummaryTable t;
  const CaseRuns* limits = r.Find("limits", kNoServer);
  if (limits != nullptr) t.columns.push_back("raw limit (no server)");
  for (const ServerSpec& s : r.servers) t.columns.emplace_back(ServerName(s.kind));
  for (const Headline& h : Headlines(r)) {
    SummaryRow row;
    row.label = h.label;
    bool any = false;
    if (limits != nullptr) {
      row.cells.push_back(h.limit_metric.empty() ? "" : Cell(limits, h.limit_metric));
    }
    for (const ServerSpec& s : r.servers) {
      const CaseRuns* c = r.Find(h.case_name, std::string(ServerName(s.kind)));
      row.cells.push_back(Cell(c, h.metric));
      if (c != nullptr && row.unit.empty()) row.unit = c->Unit(h.metric);
      // A row no server has a figure for (ttyhub-log's, without it) is left out.
      any |= !row.cells.back().empty();
    }
    if (any) t.rows.push_back(std::move(row));
  }
  return t;
}

std::string SummaryAsText(const SummaryTable& t) {
  size_t label_width = 10, unit_width = 4;
  for (const SummaryRow& row : t.rows) {
    label_width = std::max(label_width, row.label.size());
    unit_width = std::max(unit_width, row.unit.size());
  }
  std::vector<size_t> widths;
  for (const std::string& c : t.columns) widths.push_back(std::max<size_t>(c.size(), 10));
  for (const SummaryRow& row : t.rows) {
    for (size_t i = 0; i < row.cells.size(); ++i)
      widths[i] = std::max(widths[i], row.cells[i].size());
  }
  auto pad = [](const std::string& s, size_t w, bool left) {
    const std::string fill(w > s.size() ? w - s.size() : 0, ' ');
    return left ? s + fill : fill + s;
  };
  std::string out =
      absl::StrCat("  ", pad("", label_width, true), "  ", pad("unit", unit_width, true));
  for (size_t i = 0; i < t.columns.size(); ++i)
    absl::StrAppend(&out, "  ", pad(t.columns[i], widths[i], false));
  out += "\n";
  for (const SummaryRow& row : t.rows) {
    absl::StrAppend(&out, "  ", pad(row.label, label_width, true), "  ",
                    pad(row.unit, unit_width, true));
    for (size_t i = 0; i < row.cells.size(); ++i) {
      absl::StrAppend(&out, "  ", pad(row.cells[i].empty() ? "-" : row.cells[i], widths[i], false));
    }
    out += "\n";
  }
  return out;
}

std::string SummaryAsMarkdown(const SuiteResults& r, const SummaryTable& t,
                              const std::vector<TargetResult>& targets) {
  std::string out = absl::StrCat("Placement: ", r.placement, ". PM QoS: ", r.pm_qos, ".\n\n",
                                 "| figure (median of ", r.options.reps, ") | unit |");
  for (const std::string& c : t.columns) absl::StrAppend(&out, " ", c, " |");
  out += "\n|---|---|";
  for (size_t i = 0; i < t.columns.size(); ++i) out += "---:|";
  out += "\n";
  for (const SummaryRow& row : t.rows) {
    absl::StrAppend(&out, "| ", row.label, " | ", row.unit, " |");
    for (const std::string& cell : row.cells) absl::StrAppend(&out, " ", cell, " |");
    out += "\n";
  }
  out += "\n| target | measured | ratio | status |\n|---|---|---:|---|\n";
  for (const TargetResult& x : targets) {
    absl::StrAppend(&out, "| ", x.requirement, " | ", x.measured.empty() ? x.reason : x.measured,
                    " | ", x.ratio ? absl::StrFormat("%.3g", *x.ratio) : "", " | ",
                    TargetStatusName(x.status), " |\n");
  }
  if (const std::string chain = ChainComparisonMarkdown(CompareChain(r)); !chain.empty()) {
    absl::StrAppend(&out, "\nchain: ratios of medians, same run\n\n", chain);
  }
  return out;
}

}  // namespace ttyhub::bench
