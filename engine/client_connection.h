// ClientConnection: one TCP client of a port.
//
// Output: the client owns a read cursor into the port's FanoutRing and sends
// straight from ring memory (no per-client copy). At most one send is in
// flight. Sends are io_uring SENDs with MSG_DONTWAIT, so they complete inside
// the io_uring_enter that submits them: a stalled peer never leaves a send
// parked on ring memory. When the socket is full the client waits for
// POLLOUT instead, holding no reference to the ring. While a send is in
// flight its span is pinned (HoldsRing()); the port's writer respects that.
// Every completion of a ring send, whether the client is open or closing,
// tells the host (OnRingReleased), so the pin can never outlive the send
// without the device being re-read.
//
// Input: a poll for readability, then a non-blocking recv. A rw client's bytes
// go straight into the port's input queue (ClientHost::InputSpace/Commit),
// in arrival order, and a chunk of up to kAtomicInput bytes is queued whole
// or not at all, so concurrent writers never split each other's lines. When
// the queue has no room the client stops polling (TCP backpressure) until
// the host resumes it. Telnet commands are decoded in place and take effect
// between the data bytes they stood between (ClientHost::MarkInputCommand).
// A ro client's bytes are read into a scratch buffer, counted, discarded.
//
// Stalls: a client with output waiting whose socket accepts none of it for
// stall_timeout is disconnected; so is one that has been suspended (RFC 2217
// FLOWCONTROL-SUSPEND) with data waiting for stall_timeout in all, however
// it toggles SUSPEND/RESUME (see OnTick).
//
// End of input from the peer (FIN) ends input only: output continues while it
// flows (`echo cmd | nc -N host port` gets its answer), and the connection is
// closed once it has been quiet for kHalfCloseLinger, as socat does. The
// client gives its listener slot back at the FIN, so a peer that closes and
// reconnects at once is served whenever max_clients allows.
//
// Closing: cancel every in-flight operation, wait for their completions, then
// close the socket; the port frees the object afterwards.
//
// A pty listener's client (issue 13) is the program on a pty: its fd is the
// pty's master in packet mode, not a socket. The transport differs in three
// places only: sends are io_uring WRITEs (ttys have no send), reads are
// readv(2)s that take the packet-mode status byte apart from the data, and
// a status byte reporting a termios change (TIOCPKT_IOCTL) becomes a
// settings change of the port (PtySettingsWatch), as an RFC 2217 client's
// would, at its turn in the input stream. A pty has no peer that can
// vanish, so a stalled rw pty client is not disconnected: it stops holding
// the ring (the bytes it then misses are counted as skipped) until the
// program reads again.
// Owned by its port, on the port's worker thread.
#ifndef TTYHUB_ENGINE_CLIENT_CONNECTION_H_
#define TTYHUB_ENGINE_CLIENT_CONNECTION_H_

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "config/config.h"
#include "engine/client_host.h"
#include "engine/close_reason.h"
#include "engine/io_request.h"
#include "engine/port_line.h"
#include "engine/pty_settings.h"
#include "engine/serial_line_control.h"
#include "engine/snapshot.h"
#include "engine/telnet_encoder.h"
#include "engine/telnet_session.h"
#include "engine/worker_context.h"

namespace ttyhub {

class Listener;

class ClientConnection final : public IoHandler, public SerialLineControl {
 public:
  // Where the client came in: `listener` is the host's own tag (never
  // dereferenced here); `config` and `address` outlive the client.
  struct Origin {
    Listener* listener = nullptr;
    const ListenerConfig* config = nullptr;
    const std::string* address = nullptr;
    // The client's access: its listener's, or for a unix listener what the
    // peer's credentials earned.
    Access access = Access::kReadWrite;
  };

  ClientConnection(ClientHost& host, PortLine& line, Origin origin, WorkerContext& ctx, int fd,
                   uint64_t id, std::string peer, uint64_t start_cursor);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Queues `preamble` (the banner, and a history marker) ahead of port data
  // and starts both directions. A non-empty `seam_marker` is sent once, when
  // the client's cursor reaches ring position `seam`: between the history
  // it was given (it started before the head) and live data.
  void Start(std::string preamble, uint64_t seam = 0, std::string seam_marker = {});

  // The port has new data (or the ring moved): send if idle.
  void OnRingAdvanced() { MaybeSend(); }

  // The device's modem or line state changed (RFC 2217 notifications).
  void OnModemState(uint8_t state);
  void OnLineState(uint8_t state);
  bool comport_active() const { return telnet_ && telnet_->comport_active(); }

  // Reads what the socket holds right now until it would block, the input
  // queue is full, or the peer's FIN (which gives the slot back). Used at
  // shutdown (so input that arrived before the signal is flushed too) and by
  // a full listener checking whether a peer already left.
  void ReadAvailable();
  // The host's input queue has room again: resume reading this client.
  void ResumeInput();
  // The host reached `position` in the input stream: act on this client's
  // telnet commands that stood there.
  void RunInputCommands(uint64_t position);
  // Periodic checks: inactivity and stall timeouts, the half-close linger,
  // and accounting for a lapped viewer that is waiting for its socket.
  // `now` is the worker's cached time.
  void OnTick(TimePoint now);
  // A lapped client settles now rather than at its next send: a skip
  // client counts what it lost (so its lag never exceeds the ring without
  // the skipped bytes being counted), a disconnect client is closed.
  void AccountLapped();

  // Begins closing; `detail` (may be empty) is appended to the reason's
  // text in the log. Idempotent.
  void Close(CloseReason reason, absl::string_view detail = {});
  bool closing() const { return closing_; }
  // Closed and no operation in flight: safe to destroy.
  bool finished() const { return finished_; }
  // The peer shut down its side, so the client no longer counts against
  // its listener's max_clients.
  bool slot_released() const { return slot_released_; }
  void set_slot_released() { slot_released_ = true; }

  // True if the port's writer must not overwrite bytes at or above cursor():
  // lossless (backpressure) clients, and any client with a send in flight.
  bool HoldsRing() const {
    return ring_send_in_flight_ ||
           (!closing_ && !shedding_ && policy_ == SlowClientPolicy::kBackpressure);
  }
  uint64_t cursor() const { return cursor_; }
  // Data queued for this client and not yet sent (banner plus ring bytes).
  bool HasPendingOutput() const;
  // Telnet commands of this client still waiting for their turn in the
  // input stream.
  bool HasPendingCommands() const { return telnet_ && telnet_->pending_events() > 0; }

  ClientSnapshot Snapshot() const;
  uint64_t id() const { return id_; }
  const std::string& peer() const { return peer_; }
  int fd() const { return fd_; }
  // Not reading its socket until the input queue has room (or its waiting
  // commands ran).
  bool input_paused() const { return input_paused_; }
  Access access() const { return access_; }
  // Write roles (issue 12): whether this client's input reaches the device
  // now. An rw client of an exclusive or takeover listener that does not
  // hold the port's write role is a viewer: its input is discarded and its
  // RFC 2217 changes refused, as a read-only client's.
  bool writes() const { return access_ == Access::kReadWrite && may_write_; }
  // Grants or takes the role; `notice` (may be empty) is sent in-band.
  void SetMayWrite(bool may_write, std::string notice);
  // Queues a line for the client ahead of further port data.
  void QueueNotice(std::string text);
  WriteMode write_mode() const { return origin_.config->write; }
  Listener* listener() const { return origin_.listener; }
  // "#3 [::1]:41234 (rw)", for logs.
  std::string Describe() const;

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;
  // Whether `req` is this client's wait for a writable socket (for tests
  // that act at an exact point through EventLoop::DispatchObserver).
  bool IsWritablePoll(const IoRequest& req) const { return &req == &poll_out_; }

  // SerialLineControl, for the telnet session.
  bool MayChange() const override { return writes(); }
  bool Active() const override { return !closing_; }
  void CountRefusedChange() override;
  SerialSettings LineSettings() const override;
  SerialSettings ChangeLineSettings(const SerialSettings& wanted) override;
  bool BreakState() const override;
  void SetBreakState(bool on) override;
  void SendBreakPulse() override;
  bool OutputLine(int line) const override;
  void SetOutputLine(int line, bool on) override;
  uint8_t ModemState() override;
  uint8_t LineState() override;
  void Purge(bool rx, bool tx) override;
  void SuspendOutput(bool suspended) override;

  // Malformed telnet sequences this client sent (the host counts them when
  // it closes).
  uint64_t telnet_protocol_errors() const { return telnet_ ? telnet_->protocol_errors() : 0; }

 private:
  enum Op : uint8_t { kSend, kPollOut, kPollIn };
  // After the peer's FIN: how long a quiet connection is kept for output.
  static constexpr std::chrono::milliseconds kHalfCloseLinger{1000};
  // Largest single send (bytes); the socket buffer usually limits it first.
  static constexpr size_t kMaxSend = 256 * 1024;
  // Telnet answers and notifications a client may leave unread before it is
  // disconnected (bytes).
  static constexpr size_t kMaxControlBacklog = 64 * 1024;
  // Input chunks up to this size (bytes) are queued whole: a client's line
  // is never split by another client's bytes.
  static constexpr size_t kAtomicInput = 4096;
  // Telnet commands waiting for their turn (behind input the device has not
  // taken yet) before the client stops reading.
  static constexpr size_t kMaxPendingCommands = 256;

  // What the in-flight send carries.
  enum class Sending : uint8_t { kNothing, kOwedEscape, kControl, kNotice, kPreamble, kRing };
  // What one read from the socket did.
  enum class ReadResult : uint8_t { kData, kWouldBlock, kQueueFull, kEof, kClosed };

  void MaybeSend();
  // Queues the next ring send (raw, or telnet-escaped with iovecs).
  bool SendRingData();
  // One recv: into the port's input queue (rw) or the scratch buffer (ro).
  ReadResult ReadOnce();
  ReadResult ReadIntoQueue();
  ReadResult ReadAndDiscard();
  // A recv's result: nullopt if it brought bytes (counted), else what to
  // report (EOF, would block, or closed on an error).
  std::optional<ReadResult> NoteReceived(ssize_t n);
  void OnPeerFinished();
  void AfterCommands();  // bound the answers, send them
  void ApplyPendingPurge();
  void OnSendDone(int32_t res);
  void NoteBlocked();
  void ArmPollOut();
  void ArmPollIn();
  void OnReadable(int32_t res);
  void FinishIfIdle();
  // The transport: a socket, or a pty master (see the file comment).
  void PrepareSend(const void* data, size_t len);
  // Like recv(2): bytes read, 0 at EOF, -1 with errno. A pty's status byte
  // is taken out (into pty_status_); a read that brought only status
  // reports EAGAIN.
  ssize_t ReceiveSome(uint8_t* buf, size_t len);
  // Pty clients: acts on the status bytes read (a termios change).
  void OnPtyStatus();
  // Pty clients: a stalled program stops holding the ring.
  void ShedOutput();
  bool AnyInFlight() const { return send_.in_flight || poll_out_.in_flight || poll_in_.in_flight; }

  ClientHost& host_;
  PortLine& line_;
  const Origin origin_;
  WorkerContext& ctx_;
  int fd_;
  const uint64_t id_;
  const std::string peer_;
  const Access access_;
  bool may_write_ = true;       // see writes()
  std::string notices_;         // queued in-band lines (write role changes)
  std::string notice_sending_;  // the notices being sent; stable while in flight
  const SlowClientPolicy policy_;

  uint64_t cursor_;           // next ring position to send
  std::string preamble_;      // banner, sent before ring data
  size_t preamble_sent_ = 0;  // bytes of preamble_ already sent
  uint64_t seam_ = 0;         // ring position where history ends
  std::string seam_marker_;   // sent at seam_ ("" once sent, or none)
  size_t send_len_ = 0;       // wire bytes in the in-flight send
  Sending sending_ = Sending::kNothing;
  bool ring_send_in_flight_ = false;  // the in-flight send references the ring

  // Telnet (null for raw clients).
  std::unique_ptr<TelnetSession> telnet_;
  std::string control_sending_;  // telnet answers in flight (copied out of the session)
  bool escape_owed_ = false;     // a data byte went out without its escape
  uint8_t owed_byte_ = 0;
  bool output_suspended_ = false;  // RFC 2217 FLOWCONTROL-SUSPEND
  bool rx_purge_pending_ = false;  // PURGE-DATA rx waiting for the send in flight
  // iovecs of the in-flight telnet ring send; allocated for telnet clients
  // only (1 KiB that raw clients do not need).
  struct TelnetSend {
    TelnetSendPlan plan;
    msghdr msg{};
  };
  std::unique_ptr<TelnetSend> telnet_send_;
  bool input_paused_ = false;   // waiting for room in the input queue, or for commands to run
  bool input_closed_ = false;   // peer shut down its sending side (half-close)
  bool slot_released_ = false;  // the host gave the listener slot back
  bool closing_ = false;
  bool finished_ = false;

  // Pty listener clients only (see the file comment).
  const bool pty_;
  std::unique_ptr<PtySettingsWatch> pty_settings_;
  uint8_t pty_status_ = 0;  // TIOCPKT status bits read and not acted on yet
  // Settings the program asked for, applied at the mark in the input stream
  // after the bytes it wrote before asking.
  std::optional<SerialSettings> pty_wanted_;
  uint64_t input_end_ = 0;   // input-stream position after this client's last committed byte
  int pty_poll_errors_ = 0;  // poll errors in a row with no read or write since
  // A stalled rw pty client: not holding the ring until the program reads.
  bool shedding_ = false;

  TimePoint connected_at_;
  const int64_t connected_unix_ms_;  // wall clock, for display
  TimePoint last_activity_;          // last byte in either direction
  // When the socket last stopped accepting data the client had waiting
  // (EAGAIN, a short send); {} while it keeps up. Only bytes the socket
  // then accepts while the client is not suspended clear it.
  TimePoint blocked_since_{};
  // RFC 2217 suspension against stall_timeout: time spent suspended with
  // data waiting, summed across toggles (OnTick), and how long the client
  // has now been unsuspended (the sum resets after stall_timeout of it).
  TimePoint last_tick_;
  Clock::duration suspended_hold_{};
  Clock::duration unsuspended_for_{};

  uint64_t bytes_sent_ = 0;      // to the client (banner included)
  uint64_t bytes_received_ = 0;  // from the client (rw: queued; ro: discarded)
  uint64_t bytes_skipped_ = 0;   // ring bytes this client missed when lapped

  IoRequest send_{this, kSend};
  IoRequest poll_out_{this, kPollOut};
  IoRequest poll_in_{this, kPollIn};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CLIENT_CONNECTION_H_
