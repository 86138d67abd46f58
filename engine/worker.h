// Worker: one thread, one io_uring, a shard of the ports.
//
// Thread-per-core, shared-nothing (in the manner of Seastar shards and
// helio's proactors): a port's device, listeners and clients live on exactly
// one worker, so the data path takes no lock and never crosses threads. The
// ring is created on the worker's own thread (IORING_SETUP_SINGLE_ISSUER).
// Other threads talk to a worker only through its Inbox: a bounded queue of
// closures plus an eventfd the worker keeps a poll on.
//
// A 100 ms tick drives timeouts, device reopen backoff and the simulators.
//
// A worker that owns at least one `latency: low` port busy-polls its ring
// (busy_poll.h) within the `busy_poll:` budget; one with none never does.
#ifndef TTYHUB_ENGINE_WORKER_H_
#define TTYHUB_ENGINE_WORKER_H_

#include <linux/time_types.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "config/config.h"
#include "engine/busy_poll.h"
#include "engine/inbox.h"
#include "engine/io_request.h"
#include "engine/snapshot.h"
#include "engine/worker_context.h"

namespace ttyhub {

class Logger;
class Port;
class TtyControl;

class Worker final : public IoHandler {
 public:
  // `ports`: the shard's configurations, each shared with the Engine (see
  // Port's constructor); none null.
  Worker(unsigned index, std::vector<std::shared_ptr<const PortConfig>> ports, Logger& log,
         TtyControl& tty, DeviceClaims* claims = nullptr);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread and blocks until it has created its ring and started
  // its ports (listeners bound). On error the thread has already cleaned up
  // and exited.
  absl::Status Start();

  // Before Start (or on the worker's thread): how to busy-poll when a port
  // here asks for `latency: low`.
  void SetBusyPollPolicy(const BusyPollConfig& config);
  // Before Start: how ports read their devices (see device_read_probe.h).
  void SetDeviceReadsThroughRing(bool through_ring) {
    ctx_.device_reads_through_ring = through_ring;
  }
  // On the worker's thread (reload): a port's `latency:` changed. False if
  // there is no such port.
  bool SetPortLatency(absl::string_view name, Latency latency);

  // From any thread: runs `m` on the worker. False if the inbox is full.
  bool Post(Inbox::Message m);

  // From any thread: stop accepting, flush for up to `budget`, close, exit.
  void RequestStop(std::chrono::milliseconds budget);
  void Join();
  // From any thread: the worker's event loop failed (its ports are gone).
  // It has then asked the process to stop (SIGTERM to itself), so that a
  // supervisor restarts ttyhub rather than it serving without them.
  bool failed() const { return failed_.load(std::memory_order_acquire); }

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;

  // The following run only on the worker's thread (inside posted messages).
  WorkerSnapshot Snapshot() const;
  // Ports in the order they were given; nullptr if `name` is not here.
  const std::vector<std::unique_ptr<Port>>& ports() const { return ports_; }
  Port* FindPort(absl::string_view name) const;
  // Reload (issue 11). Starts a new port here; on error nothing is added.
  absl::Status AddPort(std::shared_ptr<const PortConfig> config);
  // Takes port `name` out of service: it shuts down as at exit (flushing
  // for up to `deadline`), tells each client `farewell`, and is destroyed
  // once done. False if there is no such port.
  bool RetirePort(absl::string_view name, TimePoint deadline, std::string farewell);
  // No retired port is still shutting down (its TCP ports are free again).
  bool RetiringDone() const { return retiring_.empty(); }

 private:
  enum Op : uint8_t { kWake, kTick };
  // Turns busy polling on while any port here (retiring ones aside) has
  // `latency: low`.
  void UpdateBusyPoll();
  static constexpr std::chrono::milliseconds kTickInterval{100};

  void ThreadMain(std::promise<absl::Status>* started);
  void Loop();
  void BeginStop(TimePoint deadline);
  // Advances retired ports' shutdown; destroys those that are done.
  void StepRetiring();
  void ArmWake();
  void ArmTick();

  const unsigned index_;
  // The shard's ports until ThreadMain has made them; empty afterwards.
  std::vector<std::shared_ptr<const PortConfig>> port_configs_;
  BusyPollConfig busy_poll_policy_;
  WorkerContext ctx_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<EventLoop> loop_;
  std::vector<std::unique_ptr<Port>> ports_;
  std::vector<std::unique_ptr<Port>> retiring_;  // reload removed them; shutting down
  std::thread thread_;
  uint64_t inbox_messages_ = 0;
  bool stopping_ = false;
  bool done_ = false;
  std::atomic<bool> failed_{false};
  std::atomic<bool> exited_{false};  // the thread has left ThreadMain
  __kernel_timespec tick_ts_{};
  IoRequest wake_{this, kWake};
  IoRequest tick_{this, kTick};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_WORKER_H_
