// Worker creation and sharding. See engine.h.
#include "engine/engine.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
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

namespace {

// What an Ask's caller and the worker share. The phase moves once from
// kPending to either kCancelled (by the caller, on timeout) or kRunning (by
// the worker, as it starts), and from kRunning to kDone; whoever moves it
// first decides whether the closure runs, so a timed-out request never runs
// afterwards.
template <typename T>
struct AskState {
  enum class Phase { kPending, kRunning, kDone, kCancelled };
  std::mutex mu;
  std::condition_variable done;   // signalled on kRunning -> kDone
  Phase phase = Phase::kPending;  // guarded by mu
  std::optional<T> result;        // set with kDone, guarded by mu
};

}  // namespace

template <typename T>
absl::StatusOr<T> Engine::Ask(size_t w, absl::AnyInvocable<T(Worker&)> fn,
                              std::chrono::milliseconds timeout) {
  using State = AskState<T>;
  using Phase = typename State::Phase;
  if (w >= workers_.size()) return absl::UnavailableError("ttyhub is not running");
  // Shared: the worker may reach the closure after the caller gave up.
  auto state = std::make_shared<State>();
  Worker* worker = workers_[w].get();
  if (!worker->Post([state, worker, fn = std::move(fn)]() mutable {
        {
          std::lock_guard<std::mutex> lock(state->mu);
          if (state->phase == Phase::kCancelled) return;
          state->phase = Phase::kRunning;
        }
        T value = fn(*worker);
        std::lock_guard<std::mutex> lock(state->mu);
        state->result.emplace(std::move(value));
        state->phase = Phase::kDone;
        state->done.notify_all();
      })) {
    return absl::UnavailableError("worker inbox is full; the request was not carried out");
  }
  std::unique_lock<std::mutex> lock(state->mu);
  state->done.wait_for(lock, timeout, [&] { return state->phase == Phase::kDone; });
  if (state->phase == Phase::kPending) {
    state->phase = Phase::kCancelled;
    return absl::DeadlineExceededError(
        "worker did not answer in time; the request was not carried out");
  }
  // Started (or finished): closures are short, so wait for the real outcome
  // rather than report one that is not known.
  state->done.wait(lock, [&] { return state->phase == Phase::kDone; });
  return std::move(*state->result);
}

absl::StatusOr<size_t> Engine::WorkerOf(absl::string_view port) const {
  if (workers_.empty()) return absl::UnavailableError("ttyhub is not running");
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

absl::StatusOr<size_t> Engine::ReopenLogs(std::chrono::milliseconds timeout) {
  if (workers_.empty()) return absl::UnavailableError("ttyhub is not running");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t reopened = 0;
  for (size_t w = 0; w < workers_.size(); ++w) {
    const auto left = std::max(std::chrono::milliseconds(0),
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   deadline - std::chrono::steady_clock::now()));
    auto n = Ask<size_t>(
        w,
        [](Worker& worker) {
          size_t count = 0;
          for (const auto& p : worker.ports()) count += p->ReopenLog() ? 1 : 0;
          return count;
        },
        left);
    if (!n.ok()) {
      return absl::Status(n.status().code(),
                          absl::StrCat("worker ", w, ": ", n.status().message()));
    }
    reopened += *n;
  }
  return reopened;
}

absl::Status Engine::RunOnWorker(size_t worker, absl::AnyInvocable<void(Worker&)> fn,
                                 std::chrono::milliseconds timeout) {
  auto result = Ask<bool>(
      worker,
      [fn = std::move(fn)](Worker& w) mutable {
        fn(w);
        return true;
      },
      timeout);
  return result.ok() ? absl::OkStatus() : result.status();
}

void Engine::Stop(std::chrono::milliseconds budget) {
  for (auto& w : workers_) w->RequestStop(budget);
  for (auto& w : workers_) w->Join();
  for (auto& w : workers_) failed_ |= w->failed();
  workers_.clear();
}

}  // namespace ttyhub
