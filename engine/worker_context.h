// WorkerContext: what every object on one worker shares, passed by reference.
//
// Owned by the Worker and used only on its thread. It replaces globals: the
// event loop, the logger, the tty seam, a scratch buffer for input that is
// read only to be discarded, the cached clock, and the list of ports with
// closed clients to free after the current batch of completions.
#ifndef TTYHUB_ENGINE_WORKER_CONTEXT_H_
#define TTYHUB_ENGINE_WORKER_CONTEXT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ttyhub {

class DeviceClaims;
class EventLoop;
class Logger;
class TtyControl;
class Port;

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct WorkerContext {
  EventLoop* loop = nullptr;
  Logger* log = nullptr;
  TtyControl* tty = nullptr;
  // Devices shared by `open: on_connect` ports, across workers (the
  // Engine's; may be null in tests, where no device is shared).
  DeviceClaims* claims = nullptr;
  unsigned worker_index = 0;
  // Ports read their devices with an io_uring READ into the ring instead of
  // a poll and read(2) (the engine's DeviceReadProbe decided; tests choose).
  bool device_reads_through_ring = false;
  // Refreshed before each batch of completions is dispatched; good to the
  // millisecond for timeouts and statistics. Saves a clock read per event.
  TimePoint now{};
  // Destination of reads from read-only clients (discarded). Not
  // data-bearing. Allocated by the first DiscardBuffer() call: a worker
  // whose clients never send holds no 64 KiB for it.
  std::span<uint8_t> DiscardBuffer() {
    if (discard_buffer_.empty()) discard_buffer_.resize(kDiscardBufferBytes);
    return discard_buffer_;
  }
  // Ports that have finished closing clients since the last reap.
  std::vector<Port*> ports_to_reap;

 private:
  static constexpr size_t kDiscardBufferBytes = 64 * 1024;
  std::vector<uint8_t> discard_buffer_;  // empty, or kDiscardBufferBytes
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_WORKER_CONTEXT_H_
