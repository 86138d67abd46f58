// See chain_comparison.h.
#include "tools/bench/chain_comparison.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/bench/chain_scenario.h"

namespace ttyhub::bench {
namespace {

constexpr const char* kTtyhub = "ttyhub";

struct Figure {
  const char* label;
  const char* metric;
  bool echo;  // from the echo cases (else dev2net)
};

constexpr Figure kFigures[] = {
    {"dev2net throughput", "MBps", false},
    {"dev2net server CPU per GB (2 hops: both)", "server_cpu_s_per_GB", false},
    {"echo RTT p50", "rtt_p50_us", true},
    {"echo RTT p99", "rtt_p99_us", true},
    {"echo RTT p99.9", "rtt_p99_9_us", true},
};

std::optional<double> Ratio(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b == 0) return std::nullopt;
  return *a / *b;
}

// "2 hops: 1 of 3 runs failed", or "" if every run of `c` succeeded.
std::string FailedRuns(const CaseRuns* c, absl::string_view hops) {
  if (c == nullptr || c->all_ok()) return "";
  return absl::StrCat(hops, ": ", c->runs.size() - static_cast<size_t>(c->ok_runs()), " of ",
                      c->runs.size(), " runs failed");
}

std::string Format(std::optional<double> v) {
  if (!v) return "-";
  const double a = std::fabs(*v);
  if (a >= 100) return absl::StrFormat("%.0f", *v);
  if (a >= 10) return absl::StrFormat("%.1f", *v);
  if (a >= 1) return absl::StrFormat("%.2f", *v);
  return absl::StrFormat("%.3g", *v);
}

std::string FormatRatio(std::optional<double> v) {
  return v ? absl::StrFormat("%.3g", *v) : std::string("-");
}

std::vector<std::vector<std::string>> Cells(const std::vector<ChainComparisonRow>& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const ChainComparisonRow& r : rows) {
    cells.push_back({r.figure, r.unit, r.server, Format(r.one_hop), Format(r.two_hops),
                     FormatRatio(r.two_over_one), FormatRatio(r.ttyhub_over_this_one_hop),
                     FormatRatio(r.ttyhub_over_this_two_hops), r.note});
  }
  return cells;
}

const std::vector<std::string>& Header() {
  static const std::vector<std::string> kHeader = {"figure",
                                                   "unit",
                                                   "server",
                                                   "1 hop",
                                                   "2 hops",
                                                   "2 hops / 1 hop",
                                                   "ttyhub / this, 1 hop",
                                                   "ttyhub / this, 2 hops",
                                                   "runs failed"};
  return kHeader;
}

}  // namespace

std::vector<ChainComparisonRow> CompareChain(const SuiteResults& results) {
  std::vector<ChainComparisonRow> rows;
  for (const Figure& f : kFigures) {
    const std::string one_case = f.echo ? kChain1HopEcho : kChain1HopDev2net;
    const std::string two_case = f.echo ? kChain2HopEcho : kChain2HopDev2net;
    const CaseRuns* ttyhub_one = results.Find(one_case, kTtyhub);
    const CaseRuns* ttyhub_two = results.Find(two_case, kTtyhub);
    const std::optional<double> ttyhub_one_value =
        ttyhub_one != nullptr ? ttyhub_one->Median(f.metric) : std::nullopt;
    const std::optional<double> ttyhub_two_value =
        ttyhub_two != nullptr ? ttyhub_two->Median(f.metric) : std::nullopt;
    for (const ServerSpec& s : results.servers) {
      const std::string server(ServerName(s.kind));
      const CaseRuns* one = results.Find(one_case, server);
      const CaseRuns* two = results.Find(two_case, server);
      if (one == nullptr && two == nullptr) continue;
      ChainComparisonRow row;
      row.figure = f.label;
      row.server = server;
      row.unit = one != nullptr ? one->Unit(f.metric) : two->Unit(f.metric);
      if (one != nullptr) row.one_hop = one->Median(f.metric);
      if (two != nullptr) row.two_hops = two->Median(f.metric);
      if (row.unit.empty() && two != nullptr) row.unit = two->Unit(f.metric);
      row.two_over_one = Ratio(row.two_hops, row.one_hop);
      if (server != kTtyhub) {
        row.ttyhub_over_this_one_hop = Ratio(ttyhub_one_value, row.one_hop);
        row.ttyhub_over_this_two_hops = Ratio(ttyhub_two_value, row.two_hops);
      }
      std::vector<std::string> failed;
      for (const std::string& n : {FailedRuns(one, "1 hop"), FailedRuns(two, "2 hops")}) {
        if (!n.empty()) failed.push_back(n);
      }
      row.note = absl::StrJoin(failed, "; ");
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string ChainComparisonText(const std::vector<ChainComparisonRow>& rows) {
  if (rows.empty()) return "";
  const std::vector<std::vector<std::string>> cells = Cells(rows);
  std::vector<size_t> widths;
  for (const std::string& h : Header()) widths.push_back(h.size());
  for (const std::vector<std::string>& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string fill(widths[i] - row[i].size(), ' ');
      // Text columns left-aligned, numbers right-aligned.
      absl::StrAppend(&out, "  ", i < 3 || i == 8 ? row[i] + fill : fill + row[i]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out =
      "\n== chain: 2 hops (device -> A -> RFC 2217 -> B -> client) against 1 (device -> A -> "
      "client), ttyhub against each ser2net; ratios of medians, same run ==\n"
      "  Throughput: a ratio above 1 is more. Latency and CPU per GB: a ratio below 1 is less.\n";
  out += line(Header());
  for (const std::vector<std::string>& row : cells) out += line(row);
  return out;
}

std::string ChainComparisonMarkdown(const std::vector<ChainComparisonRow>& rows) {
  if (rows.empty()) return "";
  std::string out = absl::StrCat("| ", absl::StrJoin(Header(), " | "), " |\n|---|---|---|");
  for (size_t i = 3; i < Header().size(); ++i) out += i == 8 ? "---|" : "---:|";
  out += "\n";
  for (const std::vector<std::string>& row : Cells(rows)) {
    absl::StrAppend(&out, "| ", absl::StrJoin(row, " | "), " |\n");
  }
  return out;
}

}  // namespace ttyhub::bench
