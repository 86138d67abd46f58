// Worker creation and sharding. See engine.h.
#include "engine/engine.h"

#include <algorithm>
#include <future>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/logger.h"
#include "engine/port.h"
#include "engine/worker.h"

namespace ttyhub {

Engine::Engine(const Config& config, Logger& log, TtyControl& tty)
    : config_(config), log_(log), tty_(tty) {}

Engine::~Engine() { Stop(std::chrono::milliseconds(0)); }

absl::Status Engine::Start() {
  const size_t n = std::max<size_t>(1, std::min<size_t>(config_.workers, config_.ports.size()));
  std::vector<std::vector<PortConfig>> shards(n);
  for (size_t i = 0; i < config_.ports.size(); ++i) shards[i % n].push_back(config_.ports[i]);
  for (size_t i = 0; i < n; ++i) {
    auto worker =
        std::make_unique<Worker>(static_cast<unsigned>(i), std::move(shards[i]), log_, tty_);
    if (absl::Status s = worker->Start(); !s.ok()) {
      Stop(std::chrono::milliseconds(0));
      return s;
    }
    workers_.push_back(std::move(worker));
  }
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<T> Engine::Ask(size_t w, absl::AnyInvocable<T(Worker&)> fn,
                              std::chrono::milliseconds timeout) {
  if (w >= workers_.size()) return absl::UnavailableError("ttyhub is not running");
  // Shared: if we time out, the worker may still answer later.
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> answer = promise->get_future();
  Worker* worker = workers_[w].get();
  if (!worker->Post(
          [promise, worker, fn = std::move(fn)]() mutable { promise->set_value(fn(*worker)); })) {
    return absl::UnavailableError("worker inbox is full; try again");
  }
  if (answer.wait_for(timeout) != std::future_status::ready) {
    return absl::DeadlineExceededError("worker did not answer in time");
  }
  return answer.get();
}

absl::StatusOr<size_t> Engine::WorkerOf(absl::string_view port) const {
  for (size_t i = 0; i < config_.ports.size(); ++i) {
    if (config_.ports[i].name == port) return i % workers_.size();
  }
  return absl::NotFoundError(absl::StrCat("no port named '", port, "'"));
}

absl::Status Engine::Ping(std::chrono::milliseconds timeout) {
  for (size_t w = 0; w < workers_.size(); ++w) {
    auto a = Ask<bool>(
        w, [](Worker&) { return true; }, timeout);
    if (!a.ok())
      return absl::Status(a.status().code(),
                          absl::StrCat("worker ", w, ": ", a.status().message()));
  }
  return workers_.empty() ? absl::UnavailableError("ttyhub is not running") : absl::OkStatus();
}

absl::StatusOr<EngineSnapshot> Engine::Snapshot(std::chrono::milliseconds timeout) {
  EngineSnapshot snap;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::vector<PortSnapshot>> per_worker(workers_.size());
  for (size_t w = 0; w < workers_.size(); ++w) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    struct Answer {
      WorkerSnapshot worker;
      std::vector<PortSnapshot> ports;
    };
    auto a = Ask<Answer>(
        w,
        [](Worker& worker) {
          Answer answer;
          answer.worker = worker.Snapshot();
          for (const auto& p : worker.ports()) answer.ports.push_back(p->Snapshot());
          return answer;
        },
        std::max(left, std::chrono::milliseconds(1)));
    if (!a.ok()) return a.status();
    snap.workers.push_back(std::move(a->worker));
    per_worker[w] = std::move(a->ports);
  }
  // Port i lives on worker i % n at position i / n.
  const size_t n = workers_.size();
  for (size_t i = 0; i < config_.ports.size(); ++i) {
    if (i / n < per_worker[i % n].size()) snap.ports.push_back(std::move(per_worker[i % n][i / n]));
  }
  return snap;
}

absl::StatusOr<PortSnapshot> Engine::SnapshotPort(absl::string_view port,
                                                  std::chrono::milliseconds timeout) {
  auto w = WorkerOf(port);
  if (!w.ok()) return w.status();
  const std::string name(port);
  auto snap = Ask<std::optional<PortSnapshot>>(
      *w,
      [name](Worker& worker) -> std::optional<PortSnapshot> {
        Port* p = worker.FindPort(name);
        if (p == nullptr) return std::nullopt;
        return p->Snapshot();
      },
      timeout);
  if (!snap.ok()) return snap.status();
  if (!*snap) return absl::NotFoundError(absl::StrCat("no port named '", port, "'"));
  return **std::move(snap);
}

absl::Status Engine::DisconnectClient(absl::string_view port, uint64_t client_id,
                                      std::chrono::milliseconds timeout) {
  auto w = WorkerOf(port);
  if (!w.ok()) return w.status();
  const std::string name(port);
  auto result = Ask<absl::Status>(
      *w,
      [name, client_id](Worker& worker) {
        Port* p = worker.FindPort(name);
        return p ? p->DisconnectClient(client_id) : absl::NotFoundError("no such port");
      },
      timeout);
  return result.ok() ? *result : result.status();
}

absl::Status Engine::SetSerial(absl::string_view port, const SerialSettings& settings,
                               std::chrono::milliseconds timeout) {
  auto w = WorkerOf(port);
  if (!w.ok()) return w.status();
  const std::string name(port);
  auto result = Ask<absl::Status>(
      *w,
      [name, settings](Worker& worker) {
        Port* p = worker.FindPort(name);
        return p ? p->SetSerial(settings) : absl::NotFoundError("no such port");
      },
      timeout);
  return result.ok() ? *result : result.status();
}

void Engine::Stop(std::chrono::milliseconds budget) {
  for (auto& w : workers_) w->RequestStop(budget);
  for (auto& w : workers_) w->Join();
  workers_.clear();
}

}  // namespace ttyhub
