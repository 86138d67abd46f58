// FanoutRing bookkeeping with one writer and 1, 8 or 64 readers.
//
// Models what a Port does per device read: compute the floor over the
// lossless readers, copy a chunk into the writable span (standing in for
// read(2)), then let every reader take its readable span (standing in for a
// send, which the kernel copies). Reports device bytes per second.
#include <algorithm>
#include <cstring>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/fanout_ring.h"

namespace ttyhub {
namespace {

void BM_FanoutRing(benchmark::State& state) {
  const size_t readers = static_cast<size_t>(state.range(0));
  const size_t chunk = static_cast<size_t>(state.range(1));
  auto buffer = MirroredBuffer::Create(256 * 1024);
  if (!buffer.ok()) {
    state.SkipWithError("MirroredBuffer::Create failed");
    return;
  }
  FanoutRing ring(*std::move(buffer));
  std::vector<uint64_t> cursors(readers, 0);
  std::vector<uint8_t> source(chunk, 0x5a);
  uint64_t checksum = 0;
  for (auto _ : state) {
    uint64_t floor = ring.head();
    for (uint64_t c : cursors) floor = std::min(floor, c);
    auto span = ring.WritableSpan(floor);
    const size_t n = std::min(span.size(), chunk);
    std::memcpy(span.data(), source.data(), n);
    ring.Commit(n);
    for (uint64_t& c : cursors) {
      auto data = ring.ReadableSpan(c, 256 * 1024);
      checksum += data.empty() ? 0 : data[0];
      c += data.size();
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * chunk));
  state.counters["readers"] = static_cast<double>(readers);
}
BENCHMARK(BM_FanoutRing)
    ->ArgNames({"readers", "chunk"})
    ->Args({1, 4096})
    ->Args({8, 4096})
    ->Args({64, 4096})
    ->Args({1, 65536})
    ->Args({64, 65536});

// A lapped reader catching up: the cost of the skip path.
void BM_CatchUp(benchmark::State& state) {
  auto buffer = MirroredBuffer::Create(64 * 1024);
  if (!buffer.ok()) {
    state.SkipWithError("MirroredBuffer::Create failed");
    return;
  }
  FanoutRing ring(*std::move(buffer));
  uint64_t skipped = 0;
  for (auto _ : state) {
    ring.Commit(ring.WritableSpan(ring.head()).size());
    uint64_t cursor = 0;
    skipped += ring.CatchUp(&cursor);
  }
  benchmark::DoNotOptimize(skipped);
}
BENCHMARK(BM_CatchUp);

}  // namespace
}  // namespace ttyhub

BENCHMARK_MAIN();
