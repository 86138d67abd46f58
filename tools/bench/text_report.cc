// See text_report.h.
#include "tools/bench/text_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/bench/chain_comparison.h"
#include "tools/bench/summary_table.h"

namespace ttyhub::bench {
namespace {

// other_cpu_pct above this flags a case as disturbed, in % of a core.
constexpr double kInterferencePct = 10;

std::string FormatValue(double v) {
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 100) return absl::StrFormat("%.0f", v);
  if (a >= 10) return absl::StrFormat("%.1f", v);
  if (a >= 1) return absl::StrFormat("%.2f", v);
  return absl::StrFormat("%.3g", v);
}

std::string FormatBytes(uint64_t b) {
  if (b >= 1000000000) return absl::StrFormat("%.2f GB", static_cast<double>(b) / 1e9);
  if (b >= 1000000) return absl::StrFormat("%.1f MB", static_cast<double>(b) / 1e6);
  if (b >= 1000) return absl::StrFormat("%.1f kB", static_cast<double>(b) / 1e3);
  return absl::StrCat(b, " B");
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string PadLeft(const std::string& s, size_t width) {
  return s.size() >= width ? " " + s : std::string(width - s.size(), ' ') + s;
}

void AppendCaseTable(const SuiteResults& r, const std::string& case_name,
                     const std::vector<std::string>& servers, std::string* out) {
  std::vector<const CaseRuns*> cols;
  std::vector<std::string> metrics;
  for (const std::string& s : servers) {
    const CaseRuns* c = r.Find(case_name, s);
    cols.push_back(c);
    if (c == nullptr) continue;
    for (const std::string& m : c->MetricNames()) {
      if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
    }
  }
  constexpr size_t kNameWidth = 34, kUnitWidth = 15, kColWidth = 15;
  absl::StrAppend(out, "\n  ", case_name, "\n  ", Pad("figure (median)", kNameWidth),
                  Pad("unit", kUnitWidth));
  for (const std::string& s : servers) absl::StrAppend(out, PadLeft(s, kColWidth));
  absl::StrAppend(out, "\n");
  for (const std::string& m : metrics) {
    std::string unit;
    std::string row;
    for (const CaseRuns* c : cols) {
      std::optional<double> v;
      if (c != nullptr) {
        v = c->Median(m);
        if (unit.empty()) unit = c->Unit(m);
      }
      row += PadLeft(v ? FormatValue(*v) : "-", kColWidth);
    }
    absl::StrAppend(out, "  ", Pad(m, kNameWidth), Pad(unit, kUnitWidth), row, "\n");
  }
  // Status and verification rows.
  std::string status, verified;
  for (const CaseRuns* c : cols) {
    if (c == nullptr) {
      status += PadLeft("-", kColWidth);
      verified += PadLeft("-", kColWidth);
      continue;
    }
    status += PadLeft(
        c->all_ok() ? absl::StrCat("ok ", c->ok_runs(), "/", c->runs.size())
                    : absl::StrCat("FAILED ", c->runs.size() - static_cast<size_t>(c->ok_runs()),
                                   "/", c->runs.size()),
        kColWidth);
    const VerifyCounts v = c->TotalVerify();
    verified +=
        PadLeft(absl::StrCat(FormatBytes(v.verified_bytes + c->TotalLossyVerify().verified_bytes),
                             v.Clean() && c->TotalIncomplete() == 0 ? "" : " !"),
                kColWidth);
  }
  absl::StrAppend(out, "  ", Pad("runs", kNameWidth), Pad("ok/total", kUnitWidth), status, "\n");
  absl::StrAppend(out, "  ", Pad("bytes verified (all runs)", kNameWidth),
                  Pad("! = departures", kUnitWidth), verified, "\n");
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i] == nullptr) continue;
    const VerifyCounts v = cols[i]->TotalVerify();
    if (!v.Clean() || cols[i]->TotalIncomplete() > 0) {
      absl::StrAppend(out, "    ", servers[i], ": ", v.Describe(), ", ", cols[i]->TotalIncomplete(),
                      " incomplete streams\n");
    }
    const VerifyCounts lossy = cols[i]->TotalLossyVerify();
    if (!lossy.Clean()) {
      absl::StrAppend(out, "    ", servers[i],
                      ": lapped viewers (loss allowed): ", lossy.Describe(), "\n");
    }
    int run_index = 0;
    for (const RunResult& run : cols[i]->runs) {
      ++run_index;
      if (!run.text_detail.empty()) {
        absl::StrAppend(out, "    ", servers[i], " run ", run_index, ", in detail:\n",
                        run.text_detail);
      }
      if (!run.ok) {
        absl::StrAppend(out, "    ", servers[i], " run ", run_index, " FAILED: ", run.failure,
                        "\n");
      }
      if (!run.finding.empty()) {
        absl::StrAppend(out, "    ", servers[i], " run ", run_index, " FOUND: ", run.finding, "\n");
      }
      for (const std::string& note : run.notes) {
        absl::StrAppend(out, "    ", servers[i], " run ", run_index, " note: ", note, "\n");
      }
    }
  }
}

}  // namespace

std::string TextReport(const SuiteResults& r, const std::vector<TargetResult>& targets) {
  const MachineInfo& m = r.machine;
  const BenchOptions& o = r.options;
  std::string out;
  absl::StrAppend(&out, "ttyhub-bench report, started ", r.started_at,
                  o.note.empty() ? "" : absl::StrCat(" (", o.note, ")"), "\n");
  absl::StrAppend(&out, "Machine: ", m.cpu_model, ", ", m.online_cpus, " online CPUs, ", m.kernel,
                  ", ", absl::StrFormat("%.1f", static_cast<double>(m.memory_bytes) / (1 << 30)),
                  " GiB RAM; open files ", m.open_files_limit, ", kernel.pty.max ", m.pty_max,
                  "; load average at start ", absl::StrFormat("%.2f", m.load_average_at_start),
                  "\n");
  absl::StrAppend(&out, "Placement: ", r.placement, "\n");
  absl::StrAppend(&out, "PM QoS: ", r.pm_qos, "\n");
  absl::StrAppend(&out, "Repetitions: ", o.reps,
                  " per scenario and server (interleaved across servers); every figure is the "
                  "median over the runs that succeeded",
                  o.quick ? "; --quick sizes" : "", "\n");
  absl::StrAppend(&out, "Servers:");
  for (const ServerSpec& s : r.servers) {
    absl::StrAppend(&out, "\n  ", ServerName(s.kind), ": ", s.binary, " (", s.version, ")");
  }
  if (!r.console_log_config.empty()) {
    absl::StrAppend(&out, "\nConsole logs (ttyhub-log): ", r.console_log_config,
                    "\nConsole logs written to: ", r.console_log_filesystem);
  }
  absl::StrAppend(&out,
                  "\nUnits: MB = 10^6 bytes, GB = 10^9 bytes; *_pct of a core is 100 per "
                  "busy CPU; machine_busy_pct is of all CPUs (/proc/stat) during the window.\n");
  if (r.interrupted) absl::StrAppend(&out, "\n*** INTERRUPTED: results are partial ***\n");
  absl::StrAppend(&out, "\n== Summary (medians; details below) ==\n",
                  SummaryAsText(BuildSummary(r)));

  for (const auto& [scenario, description] : r.scenarios) {
    absl::StrAppend(&out, "\n== ", scenario, ": ", description, " ==\n");
    std::vector<std::string> servers;
    for (const CaseRuns& c : r.cases) {
      if (c.scenario == scenario &&
          std::find(servers.begin(), servers.end(), c.server) == servers.end()) {
        servers.push_back(c.server);
      }
    }
    for (const std::string& case_name : r.CaseNames(scenario)) {
      AppendCaseTable(r, case_name, servers, &out);
    }
  }

  absl::StrAppend(&out, ChainComparisonText(CompareChain(r)));

  // Interference: CPU the server, the tool and the kernel threads did not use.
  std::vector<std::string> disturbed;
  for (const CaseRuns& c : r.cases) {
    const std::optional<double> other = c.Median("other_cpu_pct");
    if (other && *other > kInterferencePct) {
      disturbed.push_back(absl::StrFormat("%s on %s (%.0f%%)", c.case_name, c.server, *other));
    }
  }
  if (!disturbed.empty()) {
    absl::StrAppend(&out, "\nWARNING: other activity used more than ", kInterferencePct,
                    "% of a core (other_cpu_pct: neither server, tool nor kernel threads) during: ",
                    absl::StrJoin(disturbed, ", "),
                    ". These figures are disturbed; re-run on a quiet machine.\n");
  }

  std::vector<std::string> unclean;
  for (const CaseRuns& c : r.cases) {
    for (size_t i = 0; i < c.runs.size(); ++i) {
      if (c.runs[i].Get("server_stopped_cleanly").value_or(1) == 0) {
        unclean.push_back(absl::StrCat(c.case_name, " on ", c.server, " (run ", i + 1, ")"));
      }
    }
  }
  if (!unclean.empty()) {
    absl::StrAppend(&out,
                    "\nNOTE: the server did not stop cleanly on SIGTERM (crash, hang or "
                    "unexpected status; see the notes above) after: ",
                    absl::StrJoin(unclean, ", "), "\n");
  }

  absl::StrAppend(
      &out,
      "\n== Targets: ttyhub against ser2net-tuned or the raw limits, ttyhub-log against "
      "ttyhub; same run ==\n");
  int met = 0, missed = 0, not_evaluated = 0;
  for (const TargetResult& t : targets) {
    std::string line = absl::StrCat("  [", TargetStatusName(t.status), "] ", t.requirement);
    if (!t.measured.empty()) absl::StrAppend(&line, "\n      measured: ", t.measured);
    if (t.ratio) absl::StrAppend(&line, absl::StrFormat(" (ratio %.3g)", *t.ratio));
    if (!t.reason.empty()) absl::StrAppend(&line, "\n      ", t.reason);
    absl::StrAppend(&out, line, "\n");
    met += t.status == TargetStatus::kMet;
    missed += t.status == TargetStatus::kMissed;
    not_evaluated += t.status == TargetStatus::kNotEvaluated;
  }
  absl::StrAppend(&out, "  ", met, " met, ", missed, " missed, ", not_evaluated,
                  " not evaluated\n");
  absl::StrAppend(&out, absl::StrFormat("\nTool: %.1f s wall, %.1f s CPU (its own, getrusage)\n",
                                        r.wall_seconds, r.tool_cpu_seconds));
  return out;
}

}  // namespace ttyhub::bench
