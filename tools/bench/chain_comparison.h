// The chain scenario's comparisons, from the medians of one run of the
// suite: for each server, two hops (device -> A -> RFC 2217 -> B -> client)
// against one (device -> A -> client), and ttyhub against each ser2net
// configuration, one hop with one hop and two with two. Every ratio is one
// median over another, both from the same run. Pure functions; the tool's
// single thread.
#ifndef TTYHUB_TOOLS_BENCH_CHAIN_COMPARISON_H_
#define TTYHUB_TOOLS_BENCH_CHAIN_COMPARISON_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/bench/suite_results.h"

namespace ttyhub::bench {

struct ChainComparisonRow {
  std::string figure;  // "dev2net throughput"
  std::string unit;    // "MB/s"
  std::string server;  // "ttyhub", "ser2net-tuned", ...
  // Medians over the runs that succeeded; unset when none did.
  std::optional<double> one_hop;
  std::optional<double> two_hops;
  std::optional<double> two_over_one;  // two_hops / one_hop
  // ttyhub's median over this server's, same hop count; unset on ttyhub's
  // own row and where either is missing.
  std::optional<double> ttyhub_over_this_one_hop;
  std::optional<double> ttyhub_over_this_two_hops;
  // Runs that failed, e.g. "2 hops: 1 of 3 runs failed"; "" if none.
  std::string note;
};

// One row per figure and server that ran the chain, figures in a fixed
// order (dev2net MB/s and server CPU per GB, echo p50, p99, p99.9), servers
// in the run's order. Empty when the chain did not run.
std::vector<ChainComparisonRow> CompareChain(const SuiteResults& results);

// The rows as an aligned text table, with a heading that says how to read
// the ratios; "" for no rows.
std::string ChainComparisonText(const std::vector<ChainComparisonRow>& rows);
// The same as a Markdown table; "" for no rows.
std::string ChainComparisonMarkdown(const std::vector<ChainComparisonRow>& rows);

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_CHAIN_COMPARISON_H_
