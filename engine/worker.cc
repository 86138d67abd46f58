// Worker thread and its loop. See worker.h.
#include "engine/worker.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/event_loop.h"
#include "engine/logger.h"
#include "engine/port.h"

namespace ttyhub {
namespace {

constexpr size_t kInboxCapacity = 1024;
// Submission queue entries; the completion queue has 8 times as many (see
// EventLoop::Create). Both rings stay resident for the worker's life
// (liburing maps them with MAP_POPULATE), at 64 B per SQE and 16 B per CQE:
// 256 and 2048 entries cost 48 KiB per worker, where 1024 and 8192 cost
// 192 KiB. A larger burst of submissions submits early (the loop's sq_full
// counter); a larger burst of completions waits in the kernel until the CQ
// has room: in the overflow list (IORING_FEAT_NODROP; 6.1 does this, and
// the loop's cq_overflow counter counts it) or, as seen on 6.18, as
// deferred task work posted in smaller batches.
constexpr unsigned kSqEntries = 256;

}  // namespace

Worker::Worker(unsigned index, std::vector<std::shared_ptr<const PortConfig>> ports, Logger& log,
               TtyControl& tty, DeviceClaims* claims)
    : index_(index), port_configs_(std::move(ports)) {
  ctx_.log = &log;
  ctx_.tty = &tty;
  ctx_.claims = claims;
  ctx_.worker_index = index;
}

Worker::~Worker() { Join(); }

absl::Status Worker::Start() {
  auto inbox = Inbox::Create(kInboxCapacity);
  if (!inbox.ok()) return inbox.status();
  inbox_ = *std::move(inbox);
  std::promise<absl::Status> started;
  std::future<absl::Status> result = started.get_future();
  thread_ = std::thread([this, &started] { ThreadMain(&started); });
  absl::Status s = result.get();
  if (!s.ok()) Join();
  return s;
}

bool Worker::Post(Inbox::Message m) { return inbox_ && inbox_->Post(std::move(m)); }

void Worker::RequestStop(std::chrono::milliseconds budget) {
  // Retry if the inbox is momentarily full: stop must get through, unless
  // the thread is gone (its loop failed), when nothing drains the inbox.
  while (!Post([this, budget] { BeginStop(Clock::now() + budget); })) {
    if (exited_.load(std::memory_order_acquire)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::ThreadMain(std::promise<absl::Status>* started) {
  const std::string thread_name = absl::StrCat("ttyhub-w", index_);
  pthread_setname_np(pthread_self(), thread_name.c_str());
  auto loop = EventLoop::Create(kSqEntries);
  if (!loop.ok()) {
    started->set_value(loop.status());
    return;
  }
  loop_ = *std::move(loop);
  ctx_.loop = loop_.get();
  ctx_.now = Clock::now();
  absl::Status status;
  for (std::shared_ptr<const PortConfig>& pc : port_configs_) {
    ports_.push_back(std::make_unique<Port>(std::move(pc), ctx_));
    status = ports_.back()->Start();
    if (!status.ok()) break;
  }
  // Each Port now holds its configuration: the emptied vector would
  // otherwise stay for the worker's life.
  std::vector<std::shared_ptr<const PortConfig>>().swap(port_configs_);
  ArmWake();
  ArmTick();
  UpdateBusyPoll();
  if (!status.ok()) {
    // Undo what started, then report.
    BeginStop(ctx_.now);
    Loop();
    loop_.reset();
    ctx_.loop = nullptr;
    ports_.clear();
    started->set_value(status);
    return;
  }
  ctx_.log->Info(absl::StrCat(
      "worker ", index_, ": io_uring ready (", loop_->mode(), "), ", ports_.size(), " ports",
      loop_->busy_poll_enabled() ? absl::StrCat(", busy-polling for latency: low ports (window ",
                                                busy_poll_policy_.window.count(), " us, budget ",
                                                busy_poll_policy_.budget_percent, "% of a core)")
                                 : ""));
  started->set_value(absl::OkStatus());
  Loop();
  // Tear down the ring first: io_uring_queue_exit cancels whatever is still
  // pending (the wake poll and tick timer; everything, if the loop failed)
  // before the objects those operations point at are freed.
  loop_.reset();
  ctx_.loop = nullptr;
  ports_.clear();
  exited_.store(true, std::memory_order_release);
}

void Worker::Loop() {
  while (!done_) {
    if (absl::Status s = loop_->RunOnce(&ctx_.now); !s.ok()) {
      ctx_.log->Error(absl::StrCat("worker ", index_, ": event loop failed: ", s.message(),
                                   "; its ports stop, and ttyhub stops (exit status 1) so that "
                                   "a supervisor can restart it"));
      // Nothing can be flushed without the ring; drop out, and have the
      // whole process stop rather than serve without these ports.
      failed_.store(true, std::memory_order_release);
      kill(getpid(), SIGTERM);
      break;
    }
    ctx_.now = Clock::now();  // handlers may have run for a while
    std::vector<Port*> reap;
    reap.swap(ctx_.ports_to_reap);
    for (Port* p : reap) p->ReapClosed();
    if (!retiring_.empty()) StepRetiring();
    if (stopping_) {
      bool all_done = true;
      for (auto& p : ports_) all_done &= p->ShutdownStep(ctx_.now);
      // ShutdownStep may finish more clients; reap them before deciding.
      reap.clear();
      reap.swap(ctx_.ports_to_reap);
      for (Port* p : reap) p->ReapClosed();
      done_ = all_done && retiring_.empty();
    }
  }
}

WorkerSnapshot Worker::Snapshot() const {
  WorkerSnapshot s;
  s.index = index_;
  if (loop_) {
    s.ring_mode = loop_->mode();
    s.busy_poll = loop_->busy_poll_enabled();
    s.counters.loop_iterations = loop_->counters().iterations;
    s.counters.completions = loop_->counters().completions;
    s.counters.sq_full = loop_->counters().sq_full;
    s.counters.cq_overflow = loop_->counters().cq_overflow;
    const BusyPoll::Counters& bp = loop_->busy_poll_counters();
    s.counters.busy_poll_microseconds = bp.polled_ns / 1000;
    s.counters.busy_poll_waits_saved = bp.waits_saved;
    s.counters.busy_poll_budget_exhausted = bp.budget_exhausted;
  }
  s.counters.inbox_messages = inbox_messages_;
  return s;
}

Port* Worker::FindPort(absl::string_view name) const {
  for (const auto& p : ports_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

absl::Status Worker::AddPort(std::shared_ptr<const PortConfig> config) {
  auto port = std::make_unique<Port>(std::move(config), ctx_);
  if (absl::Status s = port->Start(); !s.ok()) {
    // Nothing of it may outlive this call: shut it down at once.
    port->BeginShutdown(ctx_.now);
    retiring_.push_back(std::move(port));
    return s;
  }
  ports_.push_back(std::move(port));
  UpdateBusyPoll();
  return absl::OkStatus();
}

void Worker::SetBusyPollPolicy(const BusyPollConfig& config) {
  busy_poll_policy_ = config;
  if (loop_) UpdateBusyPoll();
}

bool Worker::SetPortLatency(absl::string_view name, Latency latency) {
  Port* port = FindPort(name);
  if (port == nullptr) return false;
  port->set_latency(latency);
  UpdateBusyPoll();
  return true;
}

void Worker::UpdateBusyPoll() {
  const bool wanted = std::any_of(ports_.begin(), ports_.end(),
                                  [](const auto& p) { return p->latency() == Latency::kLow; });
  loop_->set_busy_poll(wanted, busy_poll_policy_);
}

bool Worker::RetirePort(absl::string_view name, TimePoint deadline, std::string farewell) {
  for (auto it = ports_.begin(); it != ports_.end(); ++it) {
    if ((*it)->name() != name) continue;
    (*it)->BeginRetire(deadline, std::move(farewell));
    retiring_.push_back(std::move(*it));
    ports_.erase(it);
    UpdateBusyPoll();
    return true;
  }
  return false;
}

void Worker::StepRetiring() {
  std::vector<Port*> done;
  for (auto& p : retiring_) {
    if (p->ShutdownStep(ctx_.now)) done.push_back(p.get());
  }
  // ShutdownStep may schedule reaps: run them before any port goes.
  std::vector<Port*> reap;
  reap.swap(ctx_.ports_to_reap);
  for (Port* p : reap) p->ReapClosed();
  std::erase_if(retiring_, [&](const std::unique_ptr<Port>& p) {
    return std::find(done.begin(), done.end(), p.get()) != done.end();
  });
}

void Worker::BeginStop(TimePoint deadline) {
  if (stopping_) return;
  stopping_ = true;
  for (auto& p : ports_) p->BeginShutdown(deadline);
}

void Worker::ArmWake() { io_uring_prep_poll_add(loop_->Prepare(wake_), inbox_->wake_fd(), POLLIN); }

void Worker::ArmTick() {
  tick_ts_.tv_sec = 0;
  tick_ts_.tv_nsec = std::chrono::nanoseconds(kTickInterval).count();
  io_uring_prep_timeout(loop_->Prepare(tick_), &tick_ts_, 0, 0);
}

void Worker::OnIoComplete(IoRequest& req, int32_t, uint32_t) {
  if (req.kind == kWake) {
    inbox_->Drain(&inbox_messages_);
    ArmWake();
    return;
  }
  for (auto& p : ports_) p->OnTick(ctx_.now);
  ArmTick();
}

}  // namespace ttyhub
