// The telnet decoder (client input, decoded in place) and the encoder
// (device output planned as iovecs around IAC escapes), on typical and
// worst-case streams.
#include <cstring>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/telnet_decoder.h"
#include "engine/telnet_encoder.h"

namespace ttyhub {
namespace {

std::string Stream(int kind, size_t n) {
  std::string s(n, 'a');
  for (size_t i = 0; i < n; ++i) {
    switch (kind) {
      case 0:
        s[i] = static_cast<char>('a' + i % 26);
        break;  // text, no escapes
      case 1:
        s[i] = static_cast<char>(i * 131 + 7);
        break;  // binary: 1/256 are 0xFF
      case 2:
        s[i] = '\xff';
        break;  // worst case
      default:
        break;
    }
  }
  return s;
}

void BM_Decode(benchmark::State& state) {
  const std::string input = Stream(static_cast<int>(state.range(0)), 64 * 1024);
  std::vector<uint8_t> buf(input.size());
  std::vector<TelnetEvent> events;
  TelnetDecoder decoder;
  decoder.set_binary(true);
  size_t out = 0;
  for (auto _ : state) {
    std::memcpy(buf.data(), input.data(), input.size());  // decoding is destructive
    out += decoder.Decode(buf.data(), buf.size(), &events);
    events.clear();
  }
  benchmark::DoNotOptimize(out);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_Decode)->ArgName("text0_binary1_allFF2")->Arg(0)->Arg(1)->Arg(2);

void BM_EncodePlan(benchmark::State& state) {
  const std::string input = Stream(static_cast<int>(state.range(0)), 64 * 1024);
  const bool binary = state.range(1) != 0;
  TelnetSendPlan plan;
  size_t planned = 0;
  for (auto _ : state) {
    // One send per plan, as a client would: walk the whole buffer.
    size_t pos = 0;
    while (pos < input.size()) {
      TelnetEncoder::Plan(reinterpret_cast<const uint8_t*>(input.data()) + pos, input.size() - pos,
                          binary, &plan);
      pos += plan.data_bytes;
      planned += plan.iovcnt;
    }
  }
  benchmark::DoNotOptimize(planned);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_EncodePlan)
    ->ArgNames({"text0_binary1_allFF2", "binary"})
    ->Args({0, 1})
    ->Args({0, 0})
    ->Args({1, 1})
    ->Args({2, 1});

}  // namespace
}  // namespace ttyhub

BENCHMARK_MAIN();
