// Engine: the set of workers serving one configuration.
//
// Shards ports across workers round-robin in config order (port i goes to
// worker i mod N), with N = min(config.workers, number of ports). Lives on
// the main thread; everything else it does goes through worker inboxes.
#ifndef TTYHUB_ENGINE_ENGINE_H_
#define TTYHUB_ENGINE_ENGINE_H_

#include <chrono>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"

namespace ttyhub {

class Logger;
class TtyControl;
class Worker;

class Engine {
 public:
  Engine(const Config& config, Logger& log, TtyControl& tty);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts every worker. If any fails (a listener cannot bind, io_uring is
  // unavailable), stops the ones already running and returns that error.
  absl::Status Start();

  // Stops accepting everywhere, flushes for up to `budget`, joins workers.
  void Stop(std::chrono::milliseconds budget);

  size_t worker_count() const { return workers_.size(); }

 private:
  const Config& config_;
  Logger& log_;
  TtyControl& tty_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ENGINE_H_
