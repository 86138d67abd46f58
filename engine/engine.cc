// Worker creation and sharding. See engine.h.
#include "engine/engine.h"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/config_diff.h"
#include "engine/device_claims.h"
#include "engine/device_read_probe.h"
#include "engine/logger.h"
#include "engine/port.h"
#include "engine/worker.h"

namespace ttyhub {

Engine::Engine(Config config, Logger& log, TtyControl& tty)
    : config_(std::move(config)), log_(log), tty_(tty) {
  running_ports_.reserve(config_.ports.size());
  for (PortConfig& p : config_.ports) {
    running_ports_.push_back(std::make_shared<const PortConfig>(std::move(p)));
  }
  std::vector<PortConfig>().swap(config_.ports);
}

Engine::~Engine() { Stop(std::chrono::milliseconds(0)); }

absl::Status Engine::Start() {
  const size_t n = std::max<size_t>(1, std::min<size_t>(config_.workers, running_ports_.size()));
  std::vector<std::vector<std::shared_ptr<const PortConfig>>> shards(n);
  for (size_t i = 0; i < running_ports_.size(); ++i) shards[i % n].push_back(running_ports_[i]);
  {
    std::lock_guard<std::mutex> lock(directory_mu_);
    directory_.clear();
    for (size_t i = 0; i < running_ports_.size(); ++i) {
      directory_.push_back({running_ports_[i]->name, i % n});
    }
  }
  const DeviceReadProbe reads = ProbeDeviceReads();
  log_.Info(absl::StrCat("device reads: ", reads.why));
  for (size_t i = 0; i < n; ++i) {
    auto worker = std::make_unique<Worker>(static_cast<unsigned>(i), std::move(shards[i]), log_,
                                           tty_, &claims_);
    worker->SetBusyPollPolicy(config_.busy_poll);
    worker->SetDeviceReadsThroughRing(reads.uring_reads);
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
  std::lock_guard<std::mutex> lock(directory_mu_);
  for (const PortHome& home : directory_) {
    if (home.name == port) return home.worker;
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
  // In configuration order (the directory's).
  std::vector<PortHome> directory;
  {
    std::lock_guard<std::mutex> lock(directory_mu_);
    directory = directory_;
  }
  for (const PortHome& home : directory) {
    if (home.worker >= per_worker.size()) continue;
    for (PortSnapshot& p : per_worker[home.worker]) {
      if (p.name == home.name && !p.name.empty()) {
        snap.ports.push_back(std::move(p));
        p.name.clear();  // taken
        break;
      }
    }
  }
  return snap;
}

template <typename T>
absl::StatusOr<T> Engine::AskPort(absl::string_view port, absl::AnyInvocable<T(Port&)> fn,
                                  std::chrono::milliseconds timeout) {
  auto w = WorkerOf(port);
  if (!w.ok()) return w.status();
  auto answer = Ask<std::optional<T>>(
      *w,
      [name = std::string(port), fn = std::move(fn)](Worker& worker) mutable -> std::optional<T> {
        Port* p = worker.FindPort(name);
        if (p == nullptr) return std::nullopt;  // removed by a reload meanwhile
        return fn(*p);
      },
      timeout);
  if (!answer.ok()) return answer.status();
  if (!answer->has_value()) return absl::NotFoundError(absl::StrCat("no port named '", port, "'"));
  return std::move(**answer);
}

absl::StatusOr<PortSnapshot> Engine::SnapshotPort(absl::string_view port,
                                                  std::chrono::milliseconds timeout) {
  return AskPort<PortSnapshot>(
      port, [](Port& p) { return p.Snapshot(); }, timeout);
}

absl::Status Engine::DisconnectClient(absl::string_view port, uint64_t client_id,
                                      std::chrono::milliseconds timeout) {
  auto r = AskPort<absl::Status>(
      port, [client_id](Port& p) { return p.DisconnectClient(client_id); }, timeout);
  return r.ok() ? *r : r.status();
}

absl::Status Engine::SetSerial(absl::string_view port, const SerialSettings& settings,
                               std::chrono::milliseconds timeout) {
  auto r = AskPort<absl::Status>(
      port, [settings](Port& p) { return p.SetSerial(settings); }, timeout);
  return r.ok() ? *r : r.status();
}

absl::StatusOr<std::vector<std::string>> Engine::Reload(const Config& next) {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  if (workers_.empty()) return absl::UnavailableError("ttyhub is not running");
  using Kind = PortChange::Kind;
  std::vector<const PortConfig*> running_configs;
  running_configs.reserve(running_ports_.size());
  for (const auto& p : running_ports_) running_configs.push_back(p.get());
  const ConfigDiff diff = DiffConfigs(config_, running_configs, next);
  std::vector<std::string> report;
  // Each step asks a worker; a step is short, so a generous bound only
  // matters if a worker is wedged.
  constexpr std::chrono::milliseconds kAskTimeout{5000};
  const std::chrono::milliseconds flush = config_.shutdown_timeout;
  std::map<std::string, const PortConfig*> next_ports;
  for (const PortConfig& p : next.ports) next_ports[p.name] = &p;
  // What runs afterwards, by name: unchanged ports keep the configuration
  // their Port shares; failed parts are taken out.
  std::map<std::string, std::shared_ptr<const PortConfig>> applied;
  for (const auto& p : running_ports_) applied[p->name] = p;

  // 1. Take removed and restarted ports, and changed listeners, out of
  //    service, telling their clients why.
  for (const PortChange& change : diff.ports) {
    const bool retire = change.kind == Kind::kRemoved || change.kind == Kind::kRestarted;
    if (!retire && change.listeners_to_stop.empty()) continue;
    auto w = WorkerOf(change.name);
    if (!w.ok()) continue;
    const std::string why = change.kind == Kind::kRemoved ? "was removed from the configuration"
                            : change.kind == Kind::kRestarted
                                ? absl::StrCat("is restarting (", change.details[0], ")")
                                : "has a changed listener";
    const std::string farewell =
        absl::StrCat("\r\nttyhub: port ", change.name, " ", why, " by a configuration reload\r\n");
    const std::string name = change.name;
    const std::vector<std::string> keys = change.listeners_to_stop;
    auto done = Ask<bool>(
        *w,
        [name, retire, keys, farewell, flush](Worker& worker) {
          if (retire) {
            return worker.RetirePort(name, Clock::now() + flush, farewell);
          }
          Port* p = worker.FindPort(name);
          if (p == nullptr) return false;
          p->RetireListeners(keys, farewell);
          return true;
        },
        kAskTimeout);
    if (!done.ok()) {
      report.push_back(
          absl::StrCat("port ", change.name, ": not changed: ", done.status().message()));
      continue;
    }
    if (retire) {
      std::lock_guard<std::mutex> lock(directory_mu_);
      std::erase_if(directory_, [&](const PortHome& h) { return h.name == change.name; });
    }
  }

  // 2. Wait until their sockets are closed, so that the addresses are free.
  const auto wait_until = std::chrono::steady_clock::now() + flush + std::chrono::seconds(2);
  for (;;) {
    bool idle = true;
    for (size_t w = 0; w < workers_.size() && idle; ++w) {
      auto a = Ask<bool>(
          w,
          [](Worker& worker) {
            if (!worker.RetiringDone()) return false;
            for (const auto& p : worker.ports()) {
              if (!p->RetiredListenersIdle()) return false;
            }
            return true;
          },
          kAskTimeout);
      idle = a.ok() && *a;
    }
    if (idle) break;
    if (std::chrono::steady_clock::now() >= wait_until) {
      report.push_back(
          "some removed ports or listeners were still closing; their addresses "
          "may not be free yet");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // 3. The busy-poll policy first (ports added below start under it), then
  // live updates, then new ports.
  if (diff.busy_poll_changed) {
    const BusyPollConfig busy_poll = next.busy_poll;
    size_t applied_to = 0;
    for (size_t worker = 0; worker < workers_.size(); ++worker) {
      auto s = Ask<bool>(
          worker,
          [busy_poll](Worker& w) {
            w.SetBusyPollPolicy(busy_poll);
            return true;
          },
          kAskTimeout);
      if (s.ok()) ++applied_to;
    }
    report.push_back(absl::StrCat("busy_poll: window ", busy_poll.window.count(), " us, budget ",
                                  busy_poll.budget_percent, "% of a core",
                                  applied_to == workers_.size()
                                      ? ""
                                      : absl::StrCat(" (applied on ", applied_to, " of ",
                                                     workers_.size(), " workers only)")));
  }
  for (const PortChange& change : diff.ports) {
    const auto it = next_ports.find(change.name);
    if (change.kind == Kind::kUnchanged || change.kind == Kind::kRemoved) {
      if (change.kind == Kind::kRemoved) {
        applied.erase(change.name);
        report.push_back(absl::StrCat("port ", change.name, ": removed; its clients were told"));
      }
      continue;
    }
    // The one copy of this port's new configuration: the Engine, the Port
    // and its listeners share it.
    std::shared_ptr<const PortConfig> config = std::make_shared<const PortConfig>(*it->second);
    if (change.kind == Kind::kUpdated) {
      auto w = WorkerOf(change.name);
      if (!w.ok()) continue;
      const std::string name = change.name;
      std::string result;
      if (change.latency_changed) {
        const Latency latency = config->latency;
        auto s = Ask<bool>(
            *w, [name, latency](Worker& worker) { return worker.SetPortLatency(name, latency); },
            kAskTimeout);
        if (!s.ok() || !*s) absl::StrAppend(&result, " (latency NOT applied)");
      }
      if (change.serial_changed) {
        const SerialSettings serial = config->serial;
        auto s = Ask<absl::Status>(
            *w,
            [name, serial](Worker& worker) {
              Port* p = worker.FindPort(name);
              return p ? p->SetSerial(serial) : absl::NotFoundError("no such port");
            },
            kAskTimeout);
        const absl::Status st = s.ok() ? *s : s.status();
        if (!st.ok()) {
          absl::StrAppend(&result, " (serial settings NOT applied: ", st.message(), ")");
        }
      }
      if (!change.listeners_to_start.empty()) {
        // The new listeners' entries in `config`, which they share.
        std::vector<std::shared_ptr<const ListenerConfig>> listeners;
        for (const ListenerConfig& wanted : change.listeners_to_start) {
          const std::string key = ListenerKey(wanted);
          const auto l =
              std::find_if(config->listeners.begin(), config->listeners.end(),
                           [&](const ListenerConfig& c) { return ListenerKey(c) == key; });
          // DiffConfigs takes listeners_to_start from the new configuration,
          // whose keys are unique: never missing.
          assert(l != config->listeners.end());
          if (l != config->listeners.end()) {
            listeners.push_back(std::shared_ptr<const ListenerConfig>(config, &*l));
          }
        }
        auto s = Ask<absl::Status>(
            *w,
            [name, listeners](Worker& worker) {
              Port* p = worker.FindPort(name);
              return p ? p->AddListeners(listeners) : absl::NotFoundError("no such port");
            },
            kAskTimeout);
        const absl::Status st = s.ok() ? *s : s.status();
        if (!st.ok()) {
          absl::StrAppend(&result, " (a listener could NOT be started: ", st.message(), ")");
          // What runs is what the port has now: the next reload retries.
          auto running = Ask<std::vector<ListenerConfig>>(
              *w,
              [name](Worker& worker) {
                Port* p = worker.FindPort(name);
                return p ? p->RunningListenerConfigs() : std::vector<ListenerConfig>{};
              },
              kAskTimeout);
          if (running.ok()) {
            auto what_runs = std::make_shared<PortConfig>(*config);
            what_runs->listeners = *std::move(running);
            config = std::move(what_runs);
          }
        }
      }
      // The port runs `config` from now on, and drops its old one (which its
      // listeners that were not rebound keep until they are retired).
      auto adopted = Ask<bool>(
          *w,
          [name, config](Worker& worker) {
            Port* p = worker.FindPort(name);
            if (p == nullptr) return false;
            p->AdoptConfig(config);
            return true;
          },
          kAskTimeout);
      if (!adopted.ok() || !*adopted) {
        absl::StrAppend(&result, " (the port did NOT take the new configuration: ",
                        adopted.ok() ? "no such port" : adopted.status().message(), ")");
      }
      applied[change.name] = config;
      report.push_back(
          absl::StrCat("port ", change.name, ": ", absl::StrJoin(change.details, "; "), result));
      continue;
    }
    // kAdded, kRestarted: on the worker with the fewest ports.
    size_t target = 0;
    {
      std::lock_guard<std::mutex> lock(directory_mu_);
      std::vector<size_t> load(workers_.size(), 0);
      for (const PortHome& h : directory_) ++load[h.worker];
      target = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    }
    auto s = Ask<absl::Status>(
        target, [config](Worker& worker) { return worker.AddPort(config); }, kAskTimeout);
    const absl::Status st = s.ok() ? *s : s.status();
    if (!st.ok()) {
      report.push_back(absl::StrCat("port ", change.name, ": NOT started: ", st.message()));
      applied.erase(change.name);
      continue;
    }
    applied[change.name] = config;
    report.push_back(absl::StrCat(
        "port ", change.name, ": ", change.kind == Kind::kAdded ? "added" : "restarted",
        change.kind == Kind::kAdded ? ""
                                    : absl::StrCat(" (", absl::StrJoin(change.details, "; "), ")"),
        " on worker ", target));
    std::lock_guard<std::mutex> lock(directory_mu_);
    directory_.push_back({change.name, target});
  }
  // Configuration order, as the new file has it.
  std::vector<std::shared_ptr<const PortConfig>> now_running;
  for (const PortConfig& p : next.ports) {
    if (auto it = applied.find(p.name); it != applied.end()) now_running.push_back(it->second);
  }
  {
    std::lock_guard<std::mutex> lock(directory_mu_);
    std::vector<PortHome> ordered;
    for (const auto& p : now_running) {
      for (const PortHome& h : directory_) {
        if (h.name == p->name) ordered.push_back(h);
      }
    }
    directory_ = std::move(ordered);
  }
  for (const std::string& key : diff.needs_restart) {
    report.push_back(absl::StrCat(key, ": changed; takes effect at the next restart"));
  }
  // Top-level keys: the new values, but those a reload does not apply
  // (workers, admin, shutdown_timeout, log_level: diff.needs_restart) keep
  // their running ones. A new top-level key must be added here and to
  // DiffConfigs.
  config_.source = next.source;
  config_.lock_dir = next.lock_dir;
  config_.busy_poll = next.busy_poll;
  running_ports_ = std::move(now_running);
  if (report.empty()) report.push_back("nothing changed");
  return report;
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

absl::StatusOr<size_t> Engine::SetListenersEnabled(absl::string_view port,
                                                   absl::string_view address, bool on,
                                                   std::chrono::milliseconds timeout) {
  auto r = AskPort<absl::StatusOr<size_t>>(
      port,
      [where = std::string(address), on](Port& p) { return p.SetListenersEnabled(where, on); },
      timeout);
  return r.ok() ? *r : r.status();
}

absl::Status Engine::SetWriter(absl::string_view port, uint64_t client_id,
                               std::chrono::milliseconds timeout) {
  auto r = AskPort<absl::Status>(
      port, [client_id](Port& p) { return p.SetWriter(client_id); }, timeout);
  return r.ok() ? *r : r.status();
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
