// ttyhub-bench's chain comparisons: two hops over one per server, ttyhub
// over each ser2net configuration at the same hop count, all from medians
// of runs that succeeded, failed runs named, and nothing when the chain did
// not run.
#include "tools/bench/chain_comparison.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/bench/chain_scenario.h"

namespace ttyhub::bench {
namespace {

RunResult OneRun(const char* case_name, const std::string& metric, double value, const char* unit,
                 bool ok = true) {
  RunResult r;
  r.case_name = case_name;
  r.Add(metric, value, unit);
  if (!ok) r.Fail("broken");
  return r;
}

// Three repetitions of `case_name` on `server` with `metric` at `values`.
void AddCase(SuiteResults* s, const std::string& server, const char* case_name,
             const std::string& metric, std::vector<double> values, const char* unit) {
  CaseRuns& c = s->Get("chain", case_name, server);
  for (double v : values) c.runs.push_back(OneRun(case_name, metric, v, unit));
}

SuiteResults TwoServers() {
  SuiteResults s;
  s.servers = {ServerSpec{ServerKind::kTtyhub, "ttyhub", ""},
               ServerSpec{ServerKind::kSer2netTuned, "ser2net", ""}};
  AddCase(&s, "ttyhub", kChain1HopDev2net, "MBps", {150, 100, 160}, "MB/s");      // median 150
  AddCase(&s, "ttyhub", kChain2HopDev2net, "MBps", {90, 120, 100}, "MB/s");       // median 100
  AddCase(&s, "ser2net-tuned", kChain1HopDev2net, "MBps", {50, 60, 40}, "MB/s");  // 50
  AddCase(&s, "ser2net-tuned", kChain2HopDev2net, "MBps", {25, 20, 30}, "MB/s");  // 25
  AddCase(&s, "ttyhub", kChain1HopEcho, "rtt_p50_us", {40, 40, 40}, "us");
  AddCase(&s, "ttyhub", kChain2HopEcho, "rtt_p50_us", {70, 60, 80}, "us");  // 70
  AddCase(&s, "ser2net-tuned", kChain1HopEcho, "rtt_p50_us", {50, 50, 50}, "us");
  AddCase(&s, "ser2net-tuned", kChain2HopEcho, "rtt_p50_us", {100, 100, 100}, "us");
  return s;
}

const ChainComparisonRow* Find(const std::vector<ChainComparisonRow>& rows,
                               const std::string& figure, const std::string& server) {
  for (const ChainComparisonRow& r : rows) {
    if (r.figure == figure && r.server == server) return &r;
  }
  return nullptr;
}

TEST(ChainComparisonTest, RatiosOfMedians) {
  const std::vector<ChainComparisonRow> rows = CompareChain(TwoServers());
  const ChainComparisonRow* t = Find(rows, "dev2net throughput", "ttyhub");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->unit, "MB/s");
  EXPECT_DOUBLE_EQ(*t->one_hop, 150);
  EXPECT_DOUBLE_EQ(*t->two_hops, 100);
  EXPECT_DOUBLE_EQ(*t->two_over_one, 100.0 / 150);
  EXPECT_FALSE(t->ttyhub_over_this_one_hop);  // not against itself
  EXPECT_FALSE(t->ttyhub_over_this_two_hops);
  EXPECT_EQ(t->note, "");

  const ChainComparisonRow* s = Find(rows, "dev2net throughput", "ser2net-tuned");
  ASSERT_NE(s, nullptr);
  EXPECT_DOUBLE_EQ(*s->two_over_one, 0.5);
  EXPECT_DOUBLE_EQ(*s->ttyhub_over_this_one_hop, 3);
  EXPECT_DOUBLE_EQ(*s->ttyhub_over_this_two_hops, 4);

  const ChainComparisonRow* e = Find(rows, "echo RTT p50", "ser2net-tuned");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->unit, "us");
  EXPECT_DOUBLE_EQ(*e->two_over_one, 2);
  EXPECT_DOUBLE_EQ(*e->ttyhub_over_this_one_hop, 0.8);
  EXPECT_DOUBLE_EQ(*e->ttyhub_over_this_two_hops, 0.7);

  // Figures no run measured have rows without values.
  const ChainComparisonRow* p99 = Find(rows, "echo RTT p99", "ttyhub");
  ASSERT_NE(p99, nullptr);
  EXPECT_FALSE(p99->one_hop);
  EXPECT_FALSE(p99->two_over_one);
}

TEST(ChainComparisonTest, FailedRunsAreLeftOutOfTheMedianAndNamed) {
  SuiteResults s = TwoServers();
  s.Get("chain", kChain2HopDev2net, "ser2net-tuned")
      .runs.push_back(OneRun(kChain2HopDev2net, "MBps", 1000, "MB/s", /*ok=*/false));
  const std::vector<ChainComparisonRow> rows = CompareChain(s);
  const ChainComparisonRow* r = Find(rows, "dev2net throughput", "ser2net-tuned");
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(*r->two_hops, 25);
  EXPECT_EQ(r->note, "2 hops: 1 of 4 runs failed");
}

TEST(ChainComparisonTest, NoTtyhubNoRatiosAgainstIt) {
  SuiteResults s;
  s.servers = {ServerSpec{ServerKind::kSer2net, "ser2net", ""}};
  AddCase(&s, "ser2net", kChain1HopDev2net, "MBps", {10}, "MB/s");
  AddCase(&s, "ser2net", kChain2HopDev2net, "MBps", {9}, "MB/s");
  const std::vector<ChainComparisonRow> rows = CompareChain(s);
  const ChainComparisonRow* r = Find(rows, "dev2net throughput", "ser2net");
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(*r->two_over_one, 0.9);
  EXPECT_FALSE(r->ttyhub_over_this_one_hop);
  EXPECT_FALSE(r->ttyhub_over_this_two_hops);
}

TEST(ChainComparisonTest, NothingWithoutTheChain) {
  SuiteResults s;
  s.servers = {ServerSpec{ServerKind::kTtyhub, "ttyhub", ""}};
  s.Get("dev2net", "dev2net", "ttyhub").runs.push_back(OneRun("dev2net", "MBps", 100, "MB/s"));
  const std::vector<ChainComparisonRow> rows = CompareChain(s);
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(ChainComparisonText(rows), "");
  EXPECT_EQ(ChainComparisonMarkdown(rows), "");
}

TEST(ChainComparisonTest, TextAndMarkdownShowTheRatios) {
  const std::vector<ChainComparisonRow> rows = CompareChain(TwoServers());
  const std::string text = ChainComparisonText(rows);
  EXPECT_NE(text.find("2 hops / 1 hop"), std::string::npos) << text;
  EXPECT_NE(text.find("ser2net-tuned"), std::string::npos) << text;
  EXPECT_NE(text.find("0.667"), std::string::npos) << text;  // ttyhub's 100 / 150
  const std::string md = ChainComparisonMarkdown(rows);
  EXPECT_NE(md.find("| dev2net throughput | MB/s | ser2net-tuned | 50.0 | 25.0 | 0.5 | 3 | 4 |"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace ttyhub::bench
