// Port: one serial device, its listeners and all their clients, on one worker.
//
// Data path, device to clients: a poll for readability on the device fd, then
// non-blocking read(2)s straight into the FanoutRing (a synchronous read of a
// non-blocking tty never sleeps, and unlike an io_uring READ it never needs a
// kernel worker thread on kernels before 6.12). Each read is followed by a
// pass over the clients, which queue their sends; the worker submits them all
// in one io_uring_enter. The read size is bounded by the ring's floor: the
// lowest cursor of a lossless client or in-flight send. When that leaves no
// room, device reads pause until a client makes progress.
//
// Data path, clients to device: rw clients recv straight into the port's
// input queue (a second ring with one reader), in arrival order; the port
// writes it to the device with non-blocking write(2)s, one at a time, waiting
// for POLLOUT when the device is full. A full input queue pauses the clients'
// reads (TCP backpressure); nothing is dropped. A client's telnet commands
// (break, RFC 2217 settings, purge) are input marks: the writer stops at a
// mark, runs its commands, then writes on, so a command takes effect between
// the bytes it stood between.
//
// Lifecycle of the ring pin: every path that releases it (a send completing,
// open or closing; a cursor moved by a purge; a client closing) reaches
// OnRingReleased, which resumes paused device reads.
//
// Device failures (EIO, hang-up, the path gone) close the device and retry
// with backoff (100 ms doubling to 5 s); listeners and clients stay up.
//
// Owned by one Worker; every method runs on that worker's thread.
#ifndef TTYHUB_ENGINE_PORT_H_
#define TTYHUB_ENGINE_PORT_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "engine/alert_matcher.h"
#include "engine/client_connection.h"
#include "engine/client_host.h"
#include "engine/console_logger.h"
#include "engine/device_line.h"
#include "engine/device_state.h"
#include "engine/fanout_ring.h"
#include "engine/io_request.h"
#include "engine/latency_histogram.h"
#include "engine/listener.h"
#include "engine/listener_host.h"
#include "engine/logger.h"
#include "engine/port_stats.h"
#include "engine/read_stamps.h"
#include "engine/serial_device.h"
#include "engine/snapshot.h"
#include "engine/worker_context.h"

namespace ttyhub {

class Port final : public IoHandler, public ClientHost, public ListenerHost, public DeviceEvents {
 public:
  // `config` is shared with the Engine, which keeps it for reload diffs
  // (issue 14: one copy per port, not one per holder). Never null.
  Port(std::shared_ptr<const PortConfig> config, WorkerContext& ctx);
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  // Allocates the ring, binds every listener (errors are fatal and name the
  // listener), and opens the device (a failure here is not fatal: the port
  // starts in kReopening and keeps trying).
  absl::Status Start();

  void OnTick(TimePoint now);

  // Shutdown: stop accepting and reading the device; keep flushing queued
  // output to clients and queued input to the device until `deadline`.
  void BeginShutdown(TimePoint deadline);
  // Advances shutdown; true once every fd is closed and nothing is in flight.
  bool ShutdownStep(TimePoint now);
  // Write roles (issue 12): gives the port's write role to client
  // `client_id` (of an exclusive or takeover listener); the holder becomes a
  // viewer. Both are told in-band. NotFound, or FailedPrecondition for a
  // read-only or shared-writing client.
  absl::Status SetWriter(uint64_t client_id);

  // ser2net's `off` (issue 11): switches the listener at `address` (as
  // shown in the JSON API; "" = every listener) on or off. Clients already
  // connected stay. Returns how many listeners changed; NotFound for an
  // unknown address.
  absl::StatusOr<size_t> SetListenersEnabled(absl::string_view address, bool on);

  // Reload (issue 11). Shutdown as BeginShutdown, but each client is told
  // `farewell` in-band before it is closed (reason: reload).
  void BeginRetire(TimePoint deadline, std::string farewell);
  // Stops the listeners whose ListenerKey is in `keys` and disconnects their
  // clients, telling them `farewell`. Their sockets close once idle
  // (RetiredListenersIdle); the objects go once no client refers to them.
  void RetireListeners(const std::vector<std::string>& keys, const std::string& farewell);
  bool RetiredListenersIdle() const;
  size_t retired_listener_count() const { return retired_listeners_.size(); }
  // Binds and starts `configs`; the first bind error is returned (the
  // listeners before it run). Call once RetiredListenersIdle(). Each entry
  // is never null and usually aliases the new port configuration it is in.
  absl::Status AddListeners(const std::vector<std::shared_ptr<const ListenerConfig>>& configs);
  // The configurations of the listeners that run now (not the retired
  // ones), in order: what a reload that could not start one records.
  std::vector<ListenerConfig> RunningListenerConfigs() const;
  // Reload, live update: the port runs `config` from now on. The caller has
  // applied its differences (serial settings, latency, listeners) already;
  // everything else in it equals what the port runs (else the reload
  // restarts the port). Listeners keep the configuration they started with,
  // through their own shared_ptr; the previous one may be freed here, so
  // nothing else may keep a reference into a port's configuration beyond a
  // call (copy what must be kept, as DeviceLine does the name).
  void AdoptConfig(std::shared_ptr<const PortConfig> config);

  // Reopens the console log file (SIGUSR1, `ttyhubctl logs reopen`). True
  // if the port logs and its file is open (or will be once the write in
  // flight completes).
  bool ReopenLog();

  // DeviceEvents, for its device: a network device's connection finished
  // (TryOpenDevice's outcome, later); the settings the device holds.
  void OnDeviceOpenFinished(const absl::Status& result) override;
  void OnDeviceSettingsReported(const SerialSettings& settings) override;

  // ListenerHost, for its listeners: a new connection.
  void OnAccepted(Listener& listener, int fd) override;

  // ClientHost, for its clients (port_name() serves ListenerHost too).
  const std::string& port_name() const override { return config_->name; }
  const FanoutRing& output() const override { return *ring_; }
  void OnDelivered(const ClientConnection& client, uint64_t from, uint64_t to) override;
  void OnSkipped(uint64_t bytes) override { counters_.skipped_bytes += bytes; }
  void OnRingReleased() override;
  InputSpan InputSpace(ClientConnection& client, size_t needed) override;
  void CommitInput(size_t data_bytes) override;
  void MarkInputCommand(ClientConnection& client, uint64_t position) override;
  void PumpInput() override { PumpDeviceWrite(); }
  void OnDiscarded(uint64_t bytes) override { counters_.discarded_ro_bytes += bytes; }
  void PurgeInput(ClientConnection& client) override;
  PortLine& line() override { return *line_; }
  void OnLineChangeRequest(bool refused) override;
  void ReleaseSlot(ClientConnection& client) override;
  void OnClientClosing(ClientConnection& client, CloseReason reason) override;
  void OnClientFinished() override { ScheduleReap(); }
  bool AdmitConnectionLog() override { return connection_log_.Admit(ctx_.now); }

  const std::string& name() const { return config_->name; }
  const PortCounters& counters() const { return counters_; }

  // Frees clients that finished closing. Called by the worker between
  // batches of completions, never from inside a client's callback.
  void ReapClosed();

  // Control (from the worker's inbox, on this thread).
  PortSnapshot Snapshot();
  absl::Status DisconnectClient(uint64_t id);
  // Applies new line settings to the open device, live; clients stay. The
  // settings hold until changed again (they are what snapshots report).
  absl::Status SetSerial(const SerialSettings& settings);

  DeviceState device_state() const { return device_state_; }
  // The configuration it was started with, or last adopted by a reload
  // (AdoptConfig). Its listeners are the configured ones, in the file's
  // order (during a reload, until the port adopts the new configuration,
  // they still include retired ones); for the running ones, see
  // RunningListenerConfigs. Valid until the next AdoptConfig.
  const PortConfig& config() const { return *config_; }
  // Reload: `latency:` changes take effect without a restart (the worker
  // reads it to decide whether to busy-poll).
  Latency latency() const { return latency_; }
  void set_latency(Latency latency) { latency_ = latency; }
  size_t client_count() const { return clients_.size(); }

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;
  // For tests acting at an exact completion: is `req` the device's read poll?
  bool IsDeviceReadPoll(const IoRequest& req) const { return &req == &poll_in_; }
  // Pages of the input queue now resident (tests: ReleaseIdleInputPages).
  size_t input_resident_pages() const { return input_ ? input_->ResidentPages() : 0; }

 private:
  enum Op : uint8_t { kDevicePollIn, kDevicePollOut };
  // Input queue size (bytes) for data from rw clients to the device.
  static constexpr size_t kInputQueueBytes = 64 * 1024;
  // An input queue drained and quiet this long gives its pages back (see
  // ReleaseIdleInputPages): a port typed into once would otherwise hold a
  // 4 KiB page for good, one typed into a lot all 64 KiB.
  static constexpr std::chrono::seconds kReleaseInputAfter{1};
  // Reads per device wake-up before going back to the poll (fairness
  // between the worker's ports). A tty read returns at most 4095 bytes.
  static constexpr int kMaxReadsPerBurst = 16;
  // Device poll errors tolerated with no successful I/O between them.
  static constexpr int kMaxPollErrorsInARow = 100;
  // How often the tick checks that an armed device poll has not lost its
  // wake-up (see CheckDevicePoll): a poll(2) per port per check. Every
  // tick (100 ms) cost 4096 idle ports 5 % of a core, every 2 s about
  // 0.5 %; every 5 s, staggered across ports, about 0.2 %, and a lost
  // wake-up is rescued 5-10 s after its data arrived (the soak that found
  // them saw ports silent for good).
  static constexpr std::chrono::seconds kDevicePollCheckEvery{5};
  static constexpr std::chrono::milliseconds kMinBackoff{100};
  // A device that fails sooner than this after it opened (a remote that
  // accepts and hangs up at once, as a full listener does) keeps backing
  // off; one that ran longer is retried after kMinBackoff.
  static constexpr std::chrono::seconds kStableOpen{1};
  static constexpr std::chrono::milliseconds kMaxBackoff{5000};

  // A client command waiting in the input stream (see MarkInputCommand).
  struct InputMark {
    uint64_t position;
    ClientConnection* client;
  };

  uint64_t RingFloor() const;
  // How many reads to chain before fanning out: see PumpDeviceRead.
  int ReadsPerBurst() const;
  bool HasReadWriteListener() const;
  void PumpDeviceRead();
  // Matches `n` bytes just committed to the ring against the port's alerts.
  void MatchAlerts(size_t n);
  void PumpDeviceWrite();
  // Arms the wait for device bytes: an io_uring READ into the ring when the
  // port reads through the ring (reserving the span it may fill, see
  // FanoutRing::Reserve), else a POLL_ADD followed by read(2)s.
  void ArmDevicePollIn();
  // The completion of a READ armed by ArmDevicePollIn: ends the ring's
  // reservation and commits what was read (end of file and errors are
  // OnIoComplete's to handle).
  void FinishRingRead(int32_t res);
  // The ring is full for a lossless reader: device reads wait for
  // OnRingReleased.
  void PauseDeviceReads();
  void DeviceFailed(absl::string_view what, int err);
  void FinishDeviceClose();
  void TryOpenDevice();
  // The outcome of an open attempt: the device is open, or retried with backoff.
  void FinishOpenDevice(const absl::Status& result);
  void ResumeInputWaiters();
  // The tick: once the input queue has been drained (every byte written to
  // the device) and no input came for kReleaseInputAfter, its pages go back
  // to the kernel, one madvise per quiet spell. The next input then takes
  // one page fault for a fresh page.
  void ReleaseIdleInputPages(TimePoint now);
  // One pass of PumpDeviceWrite; false if the device failed.
  bool PumpDeviceWriteOnce();
  const InputMark* NextMark() const {
    return marks_first_ < input_marks_.size() ? &input_marks_[marks_first_] : nullptr;
  }
  // A full listener: frees the slots of clients whose peers already left
  // but whose FIN has not been read yet (one poll(2) over their sockets).
  void ReclaimDepartedSlots(Listener& listener);
  bool DeviceOpsInFlight() const { return poll_in_.in_flight || poll_out_.in_flight; }
  void ScheduleReap();
  void PollModemLines();
  // Reads the device until it is empty, `reads` read(2)s were made or the
  // ring is full (then reads pause); `read_before` bytes were already
  // committed by a READ and are published with these. True when a poll (or
  // READ) should be armed next; false when reads paused or the device
  // failed.
  bool ReadDeviceBurst(int reads, uint64_t read_before = 0);
  // Counts, stamps and fans out `n` bytes just committed to the ring.
  void PublishDeviceBytes(uint64_t n);
  // Start: fills the ring from the end of the console log, so that history
  // replay survives a restart.
  void SeedRingFromLog();
  // For a new client whose `history:` reaches past the ring: the device
  // bytes just before the ring's oldest byte that complete it, read back
  // from the console log ("" when the ring suffices or the log cannot give
  // them exactly).
  std::string OlderHistoryFromLog(const HistorySpec& spec);
  // Write roles: a new client's role; returns the in-band notice for it.
  std::string AssignWriteRoleOnArrival(ClientConnection& client);
  // The holder is leaving: the longest-connected eligible viewer takes over.
  void ReleaseWriteRole(ClientConnection& leaving);
  std::string WriterText(const ClientConnection& c) const;
  void LogRoleChange(const std::string& what);
  void DropIdleRetiredListeners();
  // open_string / close_string, expanded like a banner, written to the device.
  void WriteDeviceString(const std::string& tmpl, absl::string_view what);
  // open: on_connect: closes the device once no client is left.
  void CloseIdleDevice();
  // Gives a shared device back to the other open: on_connect ports.
  void ReleaseDeviceClaim();
  // when_full: kick_oldest: closes the listener's longest-connected client.
  void KickOldest(Listener& listener, const std::string& newcomer);
  // The tick's watchdog for a device poll whose wake-up was lost.
  void CheckDevicePoll(TimePoint now);

  // Never null; immutable; replaced by AdoptConfig, so never keep a
  // reference into it beyond a call.
  std::shared_ptr<const PortConfig> config_;
  WorkerContext& ctx_;
  Latency latency_;  // config_->latency, or what a reload set since
  PortCounters counters_;
  // Delivery latency (device read -> send completed): when recent device
  // reads ended, and the histogram. 304 bytes, allocated by the first device
  // read: a port whose device never sent anything does not pay for them.
  struct DeliveryLatency {
    ReadStamps stamps;
    LatencyHistogram histogram;
  };
  std::unique_ptr<DeliveryLatency> delivery_latency_;

  // Rates over the last second: the three counters they are taken from, at
  // the last sample (bytes; not a whole PortCounters: 24 bytes, not 272).
  struct RateBase {
    uint64_t device_rx_bytes = 0;
    uint64_t device_tx_bytes = 0;
    uint64_t client_tx_bytes = 0;
  };
  TimePoint rate_sampled_at_{};
  RateBase rate_base_;
  double device_rx_rate_ = 0, device_tx_rate_ = 0, client_tx_rate_ = 0;  // bytes per second

  std::unique_ptr<FanoutRing> ring_;
  std::unique_ptr<FanoutRing> input_;  // created at start if any listener is rw
  uint64_t input_cursor_ = 0;          // next input byte to write to the device
  // ReleaseIdleInputPages: input_->head() at the last tick, the tick that
  // saw it move, and its value when the pages were last given back (0:
  // none written yet).
  uint64_t input_head_seen_ = 0;
  TimePoint input_moved_at_{};
  uint64_t input_released_head_ = 0;

  // Client commands waiting for the writer: input_marks_[marks_first_...],
  // by position (nondecreasing). A head index, so running one is O(1).
  std::vector<InputMark> input_marks_;
  size_t marks_first_ = 0;
  // PumpDeviceWrite is running: a nested call (a command closed a client,
  // whose OnClientClosing pumps) only asks the running one to go round again.
  bool pumping_input_ = false;
  bool pump_input_again_ = false;

  std::unique_ptr<SerialDevice> device_;
  std::unique_ptr<DeviceLine> line_;  // created with device_ in Start()
  DeviceState device_state_ = DeviceState::kReopening;
  bool device_read_paused_ = false;  // ring full for a lossless client
  bool closing_idle_ = false;        // open: on_connect: closing because nobody is connected
  int poll_errors_in_a_row_ = 0;     // device poll errors with no I/O since
  TimePoint device_opened_at_{};     // when the device last opened (kStableOpen)
  std::chrono::milliseconds backoff_{kMinBackoff};
  TimePoint next_open_attempt_{};
  // What a healthy port never needs, allocated by its first use (issue 14:
  // 200 bytes less per port): rate limits for rare log lines, and messages
  // kept for rare events.
  struct RareState {
    LogRateLimiter device_log{std::chrono::seconds(30), 2};
    LogRateLimiter repump_log{std::chrono::seconds(30), 1};  // the tick's safety net
    LogRateLimiter history_log{std::chrono::seconds(60), 1};
    // A console printing a match on every line must not flood the log: at
    // most this many alert lines per port per 10 s, then one summary.
    LogBudget alert_log{std::chrono::seconds(10), 10};
    std::string last_open_error;  // the last failed open's message; "" once open
    std::string farewell;         // BeginRetire: told to each client before it is closed
  };
  RareState& rare();  // rare_, allocated if need be
  std::unique_ptr<RareState> rare_;
  // CheckDevicePoll: since when the armed device poll has had data waiting,
  // and device_rx_bytes then (unset: not seen readable at the last tick).
  std::optional<TimePoint> readable_since_;
  TimePoint next_poll_check_{};  // the first tick sets it, staggered by the port's name
  uint64_t rx_bytes_when_readable_ = 0;
  // A connection storm must not become a log storm: at most this many
  // connect/disconnect/refusal lines per port per 10 s, then one summary.
  LogBudget connection_log_{std::chrono::seconds(10), 100};
  uint64_t failures_since_open_ = 0;
  // The console log: null unless the port has `log:`. Declared after
  // ring_ and counters_, which it refers to, so it is destroyed first.
  std::unique_ptr<ConsoleLogger> console_log_;
  bool log_flushing_ = false;  // shutdown: the log was told to flush
  // The client holding the write role among those of exclusive and takeover
  // listeners (null: nobody). Cleared in OnClientClosing, before the client goes.
  ClientConnection* writer_ = nullptr;
  // Listeners a reload stopped: kept until idle and no client refers to them.
  std::vector<std::unique_ptr<Listener>> retired_listeners_;
  // Console alerts: null unless the port has `alerts:`, so a port without
  // them pays one pointer test per device read.
  std::unique_ptr<AlertMatcher> alerts_;

  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<ClientConnection>> clients_;
  // rw clients paused on a full input queue, in the order they paused. A
  // vector, not a deque: libstdc++'s deque allocates ~600 bytes up front,
  // and an idle port should cost almost nothing.
  std::vector<ClientConnection*> input_waiters_;
  uint64_t next_client_id_ = 1;
  size_t open_clients_ = 0;  // clients not closing
  bool reap_scheduled_ = false;

  bool shutting_down_ = false;
  TimePoint shutdown_deadline_{};

  // poll_in_ carries an io_uring READ into the ring (not a POLL_ADD).
  bool device_read_in_ring_ = false;
  // Device reads go through the ring (ctx_.device_reads_through_ring), until
  // a device answers a READ with EAGAIN: this port then polls.
  bool reads_through_ring_ = false;
  // The most one READ may fill (and at most a quarter of the ring): the
  // bytes the reservation takes from history and from lagging lossy readers
  // while it waits (a tty hands out at most 4095 per read).
  static constexpr size_t kRingReadBytes = 4096;
  IoRequest poll_in_{this, kDevicePollIn};
  IoRequest poll_out_{this, kDevicePollOut};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_PORT_H_
