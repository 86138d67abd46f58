// NetworkDevice: a port's device at the other end of a TCP connection
// (issue 13): `tcp://HOST:PORT` (raw bytes), `telnet://HOST:PORT` or
// `rfc2217://HOST:PORT` (telnet with COM-PORT-OPTION), such as another
// ttyhub's listener or ser2net's.
//
// As with SimDevice, the port sees an ordinary non-blocking fd: one end of
// a socketpair. This device drives the other end and the TCP connection on
// the same worker, through the same event loop (one-shot polls, then
// non-blocking reads and sends, so at most one send is in flight per
// socket), so the port's data path, its fan-out, viewers, logs and history
// are exactly those of a tty.
//
// Connecting. Open() starts a non-blocking connect and returns with
// open_pending(); the port learns the outcome through DeviceEvents (refused,
// unreachable, or no answer within 10 s: an open failure, retried with the
// port's backoff, as for a tty that is missing). HOST is numeric (see
// config/device_url.h), so nothing blocks the worker.
//
// Losing the connection. When the remote end closes or fails, bytes already
// received are handed to the port, then the device's end of the socketpair
// is shut down: the port reads a hang-up, closes the device and reopens it
// with backoff, as for an unplugged USB adapter, while its clients stay
// connected. FailureReason() tells the port what happened.
//
// Telnet and RFC 2217 (TelnetClientSession, Rfc2217Client): 0xFF is escaped
// both ways; commands and negotiation never reach the port. With rfc2217://,
// the port's settings are sent once COM-PORT-OPTION is agreed and again on
// each change (ApplySettings), and the server's answers are reported to the
// port (DeviceEvents::OnDeviceSettingsReported) as the settings in force.
// A command keeps its place in the byte stream: bytes the port wrote
// before it are sent before it. Break, DTR/RTS and purge are forwarded.
// tcp:// and telnet:// have no line settings (has_line_settings()).
//
// Backpressure both ways: the device stops reading TCP while the port has
// not taken what it was given, and stops reading the port's bytes while
// 64 KiB wait for the remote.
//
// Owned by one Port; every call happens on that port's worker thread.
#ifndef TTYHUB_ENGINE_NETWORK_DEVICE_H_
#define TTYHUB_ENGINE_NETWORK_DEVICE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/config.h"
#include "engine/io_request.h"
#include "engine/serial_device.h"
#include "engine/telnet_client_session.h"

namespace ttyhub {

class NetworkDevice final : public SerialDevice, public IoHandler {
 public:
  // `spec` is a kNetwork device; `port_name` names the port in log lines.
  NetworkDevice(const DeviceSpec& spec, std::string port_name, WorkerContext& ctx,
                DeviceEvents& events);
  ~NetworkDevice() override;

  absl::Status Open(const SerialSettings& settings, bool local) override;
  void Close() override;
  int fd() const override { return port_fd_; }
  bool open_pending() const override { return state_ == State::kConnecting; }
  bool has_line_settings() const override { return protocol_ == Protocol::kRfc2217; }
  std::string FailureReason() const override { return failure_reason_; }

  absl::Status ApplySettings(const SerialSettings& settings, bool local) override;
  absl::Status SetModemBits(int bits, bool on) override;
  absl::StatusOr<int> GetModemLines() override {
    return absl::UnimplementedError("a network device reports no modem lines");
  }
  absl::Status SetBreak(bool on) override;
  absl::Status Flush(bool input, bool output) override;
  absl::Status Probe() override {
    return port_fd_ >= 0 ? absl::OkStatus() : absl::FailedPreconditionError("not open");
  }
  absl::StatusOr<UartCounters> GetCounters() override {
    return absl::UnimplementedError("a network device has no UART counters");
  }
  void OnTick(TimePoint now) override;
  void Shutdown() override;
  bool Idle() const override {
    return !remote_in_.in_flight && !remote_out_.in_flight && !port_in_.in_flight &&
           !port_out_.in_flight;
  }

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;

  // A connect that has not completed after this long fails.
  static constexpr std::chrono::seconds kConnectTimeout{10};
  // RFC 2217 answers not received after this long are no longer waited for.
  static constexpr std::chrono::seconds kAnswerTimeout{3};

 private:
  enum class State : uint8_t {
    kClosed,      // no descriptors
    kConnecting,  // connect in progress (open_pending)
    kConnected,   // data flows
    kLost,        // the remote end is gone: handing the port what was received, then EOF
    kClosing,     // the port closed its end: waiting for our operations to complete
  };
  enum Op : uint8_t { kRemoteIn, kRemoteOut, kPortIn, kPortOut };
  // Bytes waiting for the remote above which the port's bytes are not read.
  static constexpr size_t kMaxToRemote = 64 * 1024;
  // Reads of the TCP socket per wake-up, for fairness between ports.
  static constexpr int kMaxRemoteReads = 16;

  void OnConnectDone(int32_t res);
  void Pump();
  void Arm();
  // Remote bytes: decoded, handed to the port, negotiation answered.
  void FromRemote(uint8_t* buf, size_t n);
  void AfterSession();
  void WriteToPort(const uint8_t* data, size_t n);
  void FlushToPort();
  // Reads what the port wrote, encoded for the remote, into to_remote_;
  // stops at kMaxToRemote unless `all` (before a command, which must follow
  // every byte written before it).
  void ReadFromPort(bool all);
  void FlushToRemote();
  void Lose(int err);
  // Closes the descriptors this device still holds once nothing is in flight.
  void FinishClose();
  void CloseDescriptors();
  // Appends a command (already framed) to the stream after the port's
  // bytes written so far, and sends it.
  void SendCommand(const std::string& frame);
  bool CommandsReady() const {
    return state_ == State::kConnected && session_ != nullptr && session_->comport_active();
  }

  const Protocol protocol_;
  const std::string host_;
  const uint16_t remote_port_;
  const std::string url_;        // as configured, for log lines
  const std::string port_name_;  // for log lines
  WorkerContext& ctx_;
  DeviceEvents& events_;

  State state_ = State::kClosed;
  bool shutting_down_ = false;
  int port_fd_ = -1;    // the socketpair end the port uses
  int bridge_fd_ = -1;  // our socketpair end
  int tcp_fd_ = -1;     // the connection to the remote
  TimePoint connect_started_{};
  bool connect_timed_out_ = false;
  bool port_eof_sent_ = false;
  std::string failure_reason_;
  SerialSettings settings_;                       // what the port wants; sent when COM-PORT starts
  std::unique_ptr<TelnetClientSession> session_;  // null for tcp://
  TimePoint settings_sent_at_{};
  bool signature_logged_ = false;
  bool refusal_logged_ = false;

  std::string to_port_;  // decoded remote bytes the port's end has not taken yet
  size_t to_port_offset_ = 0;
  std::string to_remote_;  // wire bytes not yet sent
  size_t to_remote_offset_ = 0;

  IoRequest remote_in_{this, kRemoteIn};
  IoRequest remote_out_{this, kRemoteOut};  // also the connect's POLLOUT
  IoRequest port_in_{this, kPortIn};
  IoRequest port_out_{this, kPortOut};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_NETWORK_DEVICE_H_
