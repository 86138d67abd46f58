// Rendering /metrics (Prometheus text) and the ports JSON for 10 to 4096
// ports: what one scrape costs the admin thread.
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "engine/json_render.h"
#include "engine/metrics.h"

namespace ttyhub {
namespace {

EngineSnapshot MakeSnapshot(int ports) {
  EngineSnapshot s;
  for (unsigned w = 0; w < 2; ++w) s.workers.push_back({w, "single-issuer", 1000, 5000, 0, 10});
  for (int i = 0; i < ports; ++i) {
    PortSnapshot p;
    p.name = absl::StrCat("rack", i / 48, "-port", i % 48);
    p.device = absl::StrCat("/dev/serial/by-path/pci-0000:00:14.0-usb-0:", i, ":1.0-port0");
    p.worker = static_cast<unsigned>(i % 2);
    p.device_state = DeviceState::kOpen;
    p.counters.device_rx_bytes = 123456789;
    p.counters.client_tx_bytes = 987654321;
    p.clients_rw = 1;
    p.clients_ro = 2;
    p.uart = UartCounters{};
    for (int k = 0; k < 100; ++k) p.latency.Record(std::chrono::microseconds(10 * k));
    s.ports.push_back(std::move(p));
  }
  return s;
}

void BM_RenderPrometheus(benchmark::State& state) {
  const EngineSnapshot snap = MakeSnapshot(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = RenderPrometheus(snap, "0.1.0");
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["ports"] = static_cast<double>(state.range(0));
  state.counters["output_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderPrometheus)->Arg(10)->Arg(512)->Arg(4096)->Unit(benchmark::kMillisecond);

void BM_RenderPortsJson(benchmark::State& state) {
  const EngineSnapshot snap = MakeSnapshot(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    nlohmann::ordered_json ports = nlohmann::ordered_json::array();
    for (const PortSnapshot& p : snap.ports) ports.push_back(PortToJson(p, false));
    const std::string text = ports.dump();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["ports"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_RenderPortsJson)->Arg(10)->Arg(512)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ttyhub

BENCHMARK_MAIN();
