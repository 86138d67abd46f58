// See stream_window.h.
#include "tools/bench/stream_window.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ttyhub::bench {

uint64_t StreamWindow::total_received() const {
  uint64_t total = 0;
  for (uint64_t r : received) total += r;
  return total;
}

namespace {

std::vector<uint64_t> WrittenPerWriter(StreamGroup& group) {
  std::vector<uint64_t> written;
  for (size_t i = 0; i < group.writer_count(); ++i) written.push_back(group.writer(i).written());
  return written;
}

}  // namespace

std::optional<StreamWindow> MeasureStreamWindow(PortFixture& fixture, StreamGroup& group,
                                                const StreamWindowLimits& limits,
                                                RunResult* result) {
  if (absl::Status s = group.Start(); !s.ok()) {
    result->Fail(std::string(s.message()));
    return std::nullopt;
  }
  EventLoop& loop = fixture.loop();
  LoopExit exit = loop.RunUntil([&] { return group.AllJoined() || group.AnyBroken(); },
                                Deadline::AfterSeconds(limits.join_s));
  if (exit != LoopExit::kDone) {
    size_t joined = 0;
    for (size_t i = 0; i < group.reader_count(); ++i) joined += group.reader(i).received() > 0;
    FailOnLoopExit(exit,
                   absl::StrCat("waiting for every reader's first bytes (", joined, " of ",
                                group.reader_count(), " have some)"),
                   &fixture, result);
    return std::nullopt;
  }
  StreamWindow w{MeasurementWindow(fixture.MeasuredPids()), group.ReceivedPerReader(),
                 WrittenPerWriter(group)};
  exit = loop.RunUntil([&] { return group.AnyBroken(); }, Deadline::AfterSeconds(limits.window_s));
  w.window.Stop();
  const std::vector<uint64_t> received = group.ReceivedPerReader();
  const std::vector<uint64_t> written = WrittenPerWriter(group);
  for (size_t i = 0; i < received.size(); ++i) w.received[i] = received[i] - w.received[i];
  for (size_t i = 0; i < written.size(); ++i) w.written[i] = written[i] - w.written[i];
  group.StopWriters();
  if (exit == LoopExit::kDeadline) {
    exit = loop.RunUntil([&] { return group.AllDrained() || group.AnyBroken(); },
                         Deadline::AfterSeconds(limits.drain_s));
  }
  FailOnLoopExit(exit, "streaming", &fixture, result);
  return w;
}

}  // namespace ttyhub::bench
