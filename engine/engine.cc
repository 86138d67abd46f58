// Worker creation and sharding. See engine.h.
#include "engine/engine.h"

#include <algorithm>

#include "engine/logger.h"
#include "engine/worker.h"

namespace ttyhub {

Engine::Engine(const Config& config, Logger& log, TtyControl& tty)
    : config_(config), log_(log), tty_(tty) {}

Engine::~Engine() { Stop(std::chrono::milliseconds(0)); }

absl::Status Engine::Start() {
  const size_t n = std::max<size_t>(
      1, std::min<size_t>(config_.workers, config_.ports.size()));
  std::vector<std::vector<PortConfig>> shards(n);
  for (size_t i = 0; i < config_.ports.size(); ++i) shards[i % n].push_back(config_.ports[i]);
  for (size_t i = 0; i < n; ++i) {
    auto worker = std::make_unique<Worker>(static_cast<unsigned>(i), std::move(shards[i]), log_,
                                           tty_);
    if (absl::Status s = worker->Start(); !s.ok()) {
      Stop(std::chrono::milliseconds(0));
      return s;
    }
    workers_.push_back(std::move(worker));
  }
  return absl::OkStatus();
}

void Engine::Stop(std::chrono::milliseconds budget) {
  for (auto& w : workers_) w->RequestStop(budget);
  for (auto& w : workers_) w->Join();
  workers_.clear();
}

}  // namespace ttyhub
