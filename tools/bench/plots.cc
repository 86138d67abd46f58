// See plots.h.
#include "tools/bench/plots.h"

#include <filesystem>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/bench/child_process.h"
#include "tools/bench/latency_stats.h"

namespace ttyhub::bench {
namespace {

constexpr double kGnuplotSeconds = 60;

std::string Num(std::optional<double> v) { return v ? absl::StrFormat("%.6g", *v) : "NaN"; }

// `which`: what the plotted values are, e.g. "median of 3".
std::string Title(const SuiteResults& r, const std::string& what, const std::string& which) {
  return absl::StrCat(what, "\\n{/*0.8 ", r.machine.cpu_model, ", ", r.machine.online_cpus,
                      " CPUs, ", r.started_at, r.options.note.empty() ? "" : ", ", r.options.note,
                      "; ", which, "}");
}

std::string Medians(const SuiteResults& r) { return absl::StrCat("median of ", r.options.reps); }

std::string Preamble(const std::string& svg) {
  return absl::StrCat(
      "set terminal svg size 900,520 dynamic enhanced font 'sans,12' background '#ffffff'\n"
      "set output '",
      svg,
      "'\n"
      "set datafile missing 'NaN'\n"
      "set grid\n"
      "set key top left\n");
}

std::vector<std::string> ServerNames(const SuiteResults& r) {
  std::vector<std::string> names;
  for (const ServerSpec& s : r.servers) names.emplace_back(ServerName(s.kind));
  return names;
}

struct PlotFile {
  std::string name;  // stem, e.g. "echo_latency"
  std::string data;
  std::string script;  // refers to DATA and SVG
};

// Echo latency: one line per server over the reported percentiles, plus the
// raw pty and TCP echo limits.
std::optional<PlotFile> EchoPlot(const SuiteResults& r) {
  const std::vector<std::string> servers = ServerNames(r);
  std::vector<std::string> columns;
  std::vector<const CaseRuns*> sources;
  std::vector<std::string> prefixes;
  for (const std::string& s : servers) {
    if (const CaseRuns* c = r.Find("echo", s)) {
      columns.push_back(s);
      sources.push_back(c);
      prefixes.push_back("rtt");
    }
  }
  if (columns.empty()) return std::nullopt;
  if (const CaseRuns* limits = r.Find("limits", kNoServer)) {
    columns.push_back("raw pty echo (no server)");
    sources.push_back(limits);
    prefixes.push_back("pty_echo");
    columns.push_back("raw TCP echo (no server)");
    sources.push_back(limits);
    prefixes.push_back("tcp_echo");
  }
  PlotFile p{"echo_latency", "\"percentile\"", ""};
  for (const std::string& c : columns) absl::StrAppend(&p.data, "\t\"", c, "\"");
  p.data += "\n";
  for (const PercentileLabel& pl : ReportedPercentiles()) {
    absl::StrAppend(&p.data, "\"", pl.suffix == std::string("p99_9") ? "p99.9" : pl.suffix, "\"");
    for (size_t i = 0; i < sources.size(); ++i) {
      absl::StrAppend(&p.data, "\t",
                      Num(sources[i]->Median(absl::StrCat(prefixes[i], "_", pl.suffix, "_us"))));
    }
    p.data += "\n";
  }
  p.script =
      absl::StrCat("set title \"",
                   Title(r,
                         absl::StrCat("Echo round trip, ", r.options.message_bytes,
                                      "-byte messages one at a time"),
                         Medians(r)),
                   "\"\nset ylabel 'round-trip time (µs, log scale)'\nset logscale y\n"
                   "set xlabel 'percentile'\nset style data linespoints\nset key below\n"
                   "plot for [i=2:",
                   columns.size() + 1, "] DATA using i:xtic(1) title columnhead(i) lw 2 pt 7\n");
  return p;
}

// Fan-out: aggregate MB/s and server CPU per GB against the number of viewers.
std::optional<PlotFile> FanoutPlot(const SuiteResults& r, bool cpu) {
  const std::vector<std::string> servers = ServerNames(r);
  PlotFile p{cpu ? "fanout_cpu" : "fanout_scaling", "\"viewers\"", ""};
  bool any = false;
  for (const std::string& s : servers) absl::StrAppend(&p.data, "\t\"", s, "\"");
  p.data += "\n";
  for (int k : r.options.fanout_viewers) {
    absl::StrAppend(&p.data, k);
    for (const std::string& s : servers) {
      const CaseRuns* c = r.Find(absl::StrCat("fanout_k", k), s);
      std::optional<double> v;
      if (c != nullptr) v = c->Median(cpu ? "server_cpu_s_per_GB_input" : "aggregate_MBps");
      any |= v.has_value();
      absl::StrAppend(&p.data, "\t", Num(v));
    }
    p.data += "\n";
  }
  if (!any) return std::nullopt;
  p.script = absl::StrCat(
      "set title \"",
      Title(r,
            cpu ? "Fan-out: server CPU per GB of device input"
                : "Fan-out: aggregate throughput to all viewers (every byte verified)",
            Medians(r)),
      "\"\nset xlabel 'viewers on one port (log scale)'\nset logscale x\nset logscale y\n",
      "set ylabel '", cpu ? "server CPU seconds per GB (log scale)" : "aggregate MB/s (log scale)",
      "'\nset style data linespoints\nset key below\n"
      "plot for [i=2:",
      servers.size() + 1, "] DATA using 1:i title columnhead(i) lw 2 pt 7\n");
  return p;
}

// Slow viewer: the fast client's rate over time, first successful run per server.
std::optional<PlotFile> SlowViewerPlot(const SuiteResults& r) {
  PlotFile p{"slow_viewer", "", ""};
  std::vector<std::string> titles;
  std::optional<double> stall_at;
  for (const std::string& s : ServerNames(r)) {
    const CaseRuns* c = r.Find("slow_viewer", s);
    if (c == nullptr) continue;
    for (const RunResult& run : c->runs) {
      if (run.series.empty()) continue;
      const Series& series = run.series.front();
      absl::StrAppend(&p.data, "# ", s, "\n");
      for (size_t i = 0; i < series.x.size(); ++i) {
        absl::StrAppend(&p.data, Num(series.x[i]), "\t", Num(series.y[i]), "\n");
      }
      p.data += "\n\n";
      titles.push_back(s);
      if (!stall_at) stall_at = run.Get("stall_starts_s");
      break;
    }
  }
  if (titles.empty()) return std::nullopt;
  p.script =
      absl::StrCat("set title \"",
                   Title(r, "Slow viewer: the fast client's rate while a viewer stops reading",
                         "first repetition"),
                   "\"\nset xlabel 'time (s)'\nset ylabel 'fast client MB/s per ",
                   absl::StrFormat("%.0f", r.options.bucket_s * 1000), " ms bucket'\n",
                   "set yrange [0:*]\nset key below\n");
  if (stall_at) {
    absl::StrAppend(&p.script, "set arrow from ", *stall_at, ", graph 0 to ", *stall_at,
                    ", graph 1 nohead dt 2 lw 2\nset label 'viewer stops reading' at ", *stall_at,
                    ", graph 0.95 offset 1,0\n");
  }
  std::vector<std::string> plots;
  for (size_t i = 0; i < titles.size(); ++i) {
    plots.push_back(
        absl::StrCat("DATA index ", i, " using 1:2 with steps lw 2 title '", titles[i], "'"));
  }
  absl::StrAppend(&p.script, "plot ", absl::StrJoin(plots, ", \\\n     "), "\n");
  return p;
}

// Throughput overview: dev2net, net2dev and many_ports per server, with the
// raw pty limits as their own bars.
std::optional<PlotFile> ThroughputPlot(const SuiteResults& r) {
  const std::vector<std::string> servers = ServerNames(r);
  struct Row {
    std::string label, case_name, metric;
  };
  const std::vector<Row> rows = {{"dev2net", "dev2net", "MBps"},
                                 {"net2dev", "net2dev", "MBps"},
                                 {"many\\\\_ports (aggregate)", "many_ports", "aggregate_MBps"}};
  PlotFile p{"throughput", "\"case\"", ""};
  for (const std::string& s : servers) absl::StrAppend(&p.data, "\t\"", s, "\"");
  absl::StrAppend(&p.data, "\t\"raw pty limit (no server)\"\n");
  const CaseRuns* limits = r.Find("limits", kNoServer);
  bool any = false;
  for (const Row& row : rows) {
    absl::StrAppend(&p.data, "\"", row.label, "\"");
    for (const std::string& s : servers) {
      const CaseRuns* c = r.Find(row.case_name, s);
      std::optional<double> v;
      if (c != nullptr) v = c->Median(row.metric);
      any |= v.has_value();
      absl::StrAppend(&p.data, "\t", Num(v));
    }
    std::optional<double> limit;
    if (limits != nullptr && row.case_name == "dev2net")
      limit = limits->Median("pty_master_to_slave_MBps");
    if (limits != nullptr && row.case_name == "net2dev")
      limit = limits->Median("pty_slave_to_master_MBps");
    absl::StrAppend(&p.data, "\t", Num(limit), "\n");
  }
  if (!any) return std::nullopt;
  p.script =
      absl::StrCat("set title \"", Title(r, "Throughput (every byte verified)", Medians(r)),
                   "\"\nset ylabel 'MB/s (log scale)'\nset logscale y\nset style data histograms\n"
                   "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
                   "set boxwidth 0.9\nset key top right\n"
                   "plot for [i=2:",
                   servers.size() + 2, "] DATA using i:xtic(1) title columnhead(i)\n");
  return p;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> WritePlots(const SuiteResults& results,
                                                    const std::string& dir,
                                                    const std::string& scratch_dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  std::vector<PlotFile> plots;
  for (std::optional<PlotFile> p :
       {EchoPlot(results), FanoutPlot(results, false), FanoutPlot(results, true),
        SlowViewerPlot(results), ThroughputPlot(results)}) {
    if (p) plots.push_back(*std::move(p));
  }
  std::vector<std::string> svgs;
  std::string errors;
  for (const PlotFile& p : plots) {
    const std::string data = absl::StrCat(dir, "/", p.name, ".dat");
    const std::string script = absl::StrCat(dir, "/", p.name, ".gp");
    const std::string svg = absl::StrCat(dir, "/", p.name, ".svg");
    std::ofstream(data) << p.data;
    std::ofstream(script) << "# Written by ttyhub-bench; render with: gnuplot " << p.name
                          << ".gp (from this directory)\nDATA = '" << p.name << ".dat'\n"
                          << Preamble(absl::StrCat(p.name, ".svg")) << p.script;
    // gnuplot runs in DIR so that the script's relative names work.
    absl::StatusOr<CommandResult> run =
        RunCommand({"gnuplot", absl::StrCat(p.name, ".gp")}, scratch_dir,
                   Deadline::AfterSeconds(kGnuplotSeconds), dir);
    if (!run.ok() || run->exit_code != 0) {
      absl::StrAppend(&errors, p.name, ": ",
                      !run.ok() ? std::string(run.status().message())
                                : absl::StrCat("gnuplot exit ", run->exit_code, ": ", run->output),
                      "; ");
      continue;
    }
    svgs.push_back(svg);
  }
  if (!errors.empty()) {
    return absl::UnavailableError(absl::StrCat(
        "plots not rendered (is gnuplot installed? apt-get install gnuplot-nox): ", errors,
        "scripts and data are in ", dir));
  }
  return svgs;
}

}  // namespace ttyhub::bench
