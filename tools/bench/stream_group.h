// A set of pattern streams for one measurement: writers (each a stream with
// its own seed) and the readers that receive them (one or many per
// writer). It knows when every reader has joined its stream, how many bytes
// have moved, when every reader has caught up with its writer after the
// writers stop, and how each stream verified. The tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_STREAM_GROUP_H_
#define TTYHUB_TOOLS_BENCH_STREAM_GROUP_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "tools/bench/event_loop.h"
#include "tools/bench/pattern_reader.h"
#include "tools/bench/pattern_writer.h"
#include "tools/bench/run_result.h"

namespace ttyhub::bench {

class StreamGroup {
 public:
  explicit StreamGroup(EventLoop& loop) : loop_(loop) {}

  // A stream written to `fd` (not owned); returns its index.
  size_t AddWriter(int fd, bool is_socket, uint32_t stream_id);
  // A reader of stream `writer` on `fd` (not owned); returns its index.
  size_t AddReader(size_t writer, int fd, bool is_socket, StreamVerifier::Start start);
  // Registers everyone with the loop; writers start unlimited.
  absl::Status Start();

  PatternWriter& writer(size_t i) { return *writers_[i]; }
  PatternReader& reader(size_t i) { return *readers_[i].reader; }
  size_t writer_count() const { return writers_.size(); }
  size_t reader_count() const { return readers_.size(); }
  size_t writer_of(size_t reader) const { return readers_[reader].writer; }

  // Every reader has received bytes and placed itself in its stream.
  bool AllJoined() const;
  uint64_t TotalReceived() const;
  uint64_t TotalWritten() const;
  std::vector<uint64_t> ReceivedPerReader() const;
  void StopWriters();
  // Every reader is at its writer's end (after StopWriters).
  bool AllDrained() const;
  // A reader or writer hit EOF or an error.
  bool AnyBroken() const;

  // Adds each reader's verification to `result` (streams, verify counts,
  // incomplete streams) and fails it on loss, corruption, reordering, a
  // stream that did not complete, or a broken endpoint. Readers for which
  // `gaps_allowed(reader)` is true may have gaps (lapped viewers).
  void Verify(RunResult* result, const std::function<bool(size_t)>& gaps_allowed = nullptr) const;

 private:
  struct ReaderEntry {
    size_t writer;
    std::unique_ptr<PatternReader> reader;
  };
  EventLoop& loop_;
  std::vector<std::unique_ptr<PatternWriter>> writers_;
  std::vector<ReaderEntry> readers_;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_STREAM_GROUP_H_
