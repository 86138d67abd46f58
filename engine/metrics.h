// The metrics ttyhub exports, defined once, and their Prometheus rendering.
//
// AllMetrics() lists every metric family: name, type, help. The renderer
// emits HELP and TYPE from the same definitions, and a test checks
// docs/metrics.md against the list, so the docs cannot drift from the code.
// Port and worker counters come from the X-macros in port_stats.h and
// worker_stats.h. Rendering is pure (a snapshot in, text out) and runs on the
// admin thread, never on a worker.
#ifndef TTYHUB_ENGINE_METRICS_H_
#define TTYHUB_ENGINE_METRICS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/snapshot.h"

namespace ttyhub {

struct MetricDef {
  std::string name;  // full name, e.g. "ttyhub_port_device_rx_bytes_total"
  std::string type;  // "counter", "gauge", "histogram"
  std::string help;
  std::string labels;  // label names, for the docs: "port, worker"
};

// Every metric family, in the order they are rendered.
const std::vector<MetricDef>& AllMetrics();

// The Prometheus text exposition format (version 0.0.4).
std::string RenderPrometheus(const EngineSnapshot& snapshot, absl::string_view version);

// The Markdown table of every metric (name, type, labels, meaning) that
// docs/metrics.md embeds; `ttyhub --list-metrics` prints it.
std::string MetricsMarkdownTable();

// Escapes a label value: backslash, double quote and line feed.
std::string EscapeLabelValue(absl::string_view value);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_METRICS_H_
