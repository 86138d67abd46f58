// Engine: the set of workers serving one configuration.
//
// Shards ports across workers round-robin in config order (port i goes to
// worker i mod N), with N = min(config.workers, number of ports). Lives on
// the main thread; everything else it does goes through worker inboxes.
#ifndef TTYHUB_ENGINE_ENGINE_H_
#define TTYHUB_ENGINE_ENGINE_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/config.h"
#include "engine/device_claims.h"
#include "engine/snapshot.h"

namespace ttyhub {

class Logger;
class Port;
class TtyControl;
class Worker;

class Engine {
 public:
  // Takes the configuration by value: a caller with no further use for its
  // own moves it in, so that the process holds one copy (issue 14).
  Engine(Config config, Logger& log, TtyControl& tty);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts every worker. If any fails (a listener cannot bind, io_uring is
  // unavailable), stops the ones already running and returns that error.
  absl::Status Start();

  // Stops accepting everywhere, flushes for up to `budget`, joins workers.
  void Stop(std::chrono::milliseconds budget);

  size_t worker_count() const { return workers_.size(); }
  // Whether any worker's event loop failed (see Worker::failed). Main thread.
  bool failed() const { return failed_; }

  // The calls below may be made from any thread other than a worker's (the
  // admin server's), between Start() and Stop(). Each is answered by the
  // owning worker through its inbox, and each keeps this contract:
  //
  //   - OK (or the operation's own error, such as NotFound): the operation
  //     ran on the worker, and this is its outcome.
  //   - DeadlineExceeded: the worker had not started the operation within
  //     `timeout`. It has been cancelled and will never run.
  //   - Unavailable: it could not be queued (inbox full, engine stopped). It
  //     will never run.
  //
  // An operation the worker has started before `timeout` is waited for to
  // its end, however long that takes past `timeout`: operations are short
  // and never block, so that wait is bounded by one pass of the worker's
  // loop. So a caller never sees "timed out" for something that then
  // happens, and can tell its HTTP client "not done" without lying.

  // OK if every worker answers within `timeout` (health checks).
  absl::Status Ping(std::chrono::milliseconds timeout);
  // Every worker's and port's statistics, ports in configuration order.
  // `timeout` bounds the whole call, shared across workers.
  absl::StatusOr<EngineSnapshot> Snapshot(std::chrono::milliseconds timeout);
  // One port, with its clients. NotFound if there is no such port.
  absl::StatusOr<PortSnapshot> SnapshotPort(absl::string_view port,
                                            std::chrono::milliseconds timeout);
  absl::Status DisconnectClient(absl::string_view port, uint64_t client_id,
                                std::chrono::milliseconds timeout);
  absl::Status SetSerial(absl::string_view port, const SerialSettings& settings,
                         std::chrono::milliseconds timeout);
  // Switches a port's listener (its address as in the JSON API; "" for
  // all) on or off (Port::SetListenersEnabled). Returns how many changed.
  absl::StatusOr<size_t> SetListenersEnabled(absl::string_view port, absl::string_view address,
                                             bool on, std::chrono::milliseconds timeout);
  // Gives the port's write role to one of its clients (Port::SetWriter).
  absl::Status SetWriter(absl::string_view port, uint64_t client_id,
                         std::chrono::milliseconds timeout);
  // Applies a new, already validated configuration (issue 11, hot reload),
  // port by port (ports matched by name): unchanged ports are untouched;
  // changed serial settings are applied live; changed listeners are
  // rebound (clients on the others stay); added ports start on the worker
  // with the fewest ports; removed ports, and ports whose device, buffer,
  // log or alerts changed, close their clients telling them why (changed
  // ones then start anew). Top-level keys that a reload cannot change
  // (workers, admin, shutdown_timeout, log_level) are reported, not
  // applied. Returns one line per change; an error only if ttyhub is not
  // running. Serialized: one reload at a time. Main or admin thread.
  absl::StatusOr<std::vector<std::string>> Reload(const Config& next);
  // Closes and reopens every port's console log file (SIGUSR1, `ttyhubctl
  // logs reopen`: after logrotate moved the files away). Returns how many
  // log files are open again; a port whose file cannot be reopened keeps
  // retrying on its own and is not counted.
  absl::StatusOr<size_t> ReopenLogs(std::chrono::milliseconds timeout);
  // Runs `fn` on worker `worker`'s thread under the contract above (for
  // callers with their own per-worker work, and for tests that need to hold
  // a worker busy). `fn` must not block for long: it stalls the worker.
  absl::Status RunOnWorker(size_t worker, absl::AnyInvocable<void(Worker&)> fn,
                           std::chrono::milliseconds timeout);

 private:
  // Runs fn(worker) on worker `w`'s thread and waits for its result, under
  // the contract described above.
  template <typename T>
  absl::StatusOr<T> Ask(size_t w, absl::AnyInvocable<T(Worker&)> fn,
                        std::chrono::milliseconds timeout);
  // Runs fn(port) on the port's worker, under the contract above; NotFound
  // if there is no such port (or a reload removed it meanwhile).
  template <typename T>
  absl::StatusOr<T> AskPort(absl::string_view port, absl::AnyInvocable<T(Port&)> fn,
                            std::chrono::milliseconds timeout);
  // Which worker owns `port`, or NotFound.
  absl::StatusOr<size_t> WorkerOf(absl::string_view port) const;

  // The configuration running now, replaced by Reload: the top-level keys
  // here (config_.ports stays empty), and each port's configuration, in
  // configuration order, shared with the Port that runs it (issue 14: one
  // copy per port). Read and written only under reload_mu_ (Start runs
  // before any reload).
  Config config_;
  std::vector<std::shared_ptr<const PortConfig>> running_ports_;
  std::mutex reload_mu_;
  // Which worker serves each port, in configuration order. Read by the
  // admin threads (WorkerOf, Snapshot), written by Start and Reload.
  struct PortHome {
    std::string name;
    size_t worker;
  };
  DeviceClaims claims_;  // shared by the workers; see device_claims.h
  mutable std::mutex directory_mu_;
  std::vector<PortHome> directory_;
  Logger& log_;
  TtyControl& tty_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool failed_ = false;  // set by Stop() if a worker's loop had failed
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ENGINE_H_
