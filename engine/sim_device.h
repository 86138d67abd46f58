// SimDevice: built-in simulated serial devices, so ttyhub runs without hardware.
//
//   sim:echo     sends back every byte it receives.
//   sim:console  behaves like a small Linux machine's serial console: a boot
//                log at a modest rate, then a login prompt; any user name and
//                password log in to a toy shell (help, uname, date, seq N,
//                dmesg, reboot, exit). Kernel messages appear now and then.
//
// The port sees an ordinary non-blocking fd: one end of a socketpair. The
// simulator drives the other end on the same worker, through the same event
// loop, with its own backpressure (it stops reading while its output is
// backed up), so the port's data path is exercised exactly as with a tty.
// Owned by one Port on its worker thread.
#ifndef TTYHUB_ENGINE_SIM_DEVICE_H_
#define TTYHUB_ENGINE_SIM_DEVICE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/io_request.h"
#include "engine/serial_device.h"

namespace ttyhub {

// The console simulator's terminal and shell, separated from I/O so it can be
// unit tested: bytes in, bytes out.
class SimConsoleScript {
 public:
  explicit SimConsoleScript(std::string hostname = "sim-console");

  // Restart from the first boot line (power on / reboot).
  void Boot(TimePoint now);
  // Appends output due by `now` (boot lines, occasional kernel messages).
  void Advance(TimePoint now, std::string* out);
  // Feeds bytes typed by clients; appends echo and responses to `out`.
  void Input(absl::string_view bytes, TimePoint now, std::string* out);

  bool booted() const { return state_ != State::kBooting; }

 private:
  enum class State { kBooting, kLogin, kPassword, kShell };
  void Prompt(std::string* out);
  void RunLine(const std::string& line, TimePoint now, std::string* out);
  std::string Stamp(TimePoint now) const;

  std::string hostname_;
  State state_ = State::kBooting;
  size_t boot_line_ = 0;
  TimePoint boot_time_{};
  TimePoint next_line_at_{};
  TimePoint next_kmsg_at_{};
  std::string line_;
  std::string user_;
  bool last_was_cr_ = false;
  uint64_t kmsg_count_ = 0;
};

class SimDevice final : public SerialDevice, public IoHandler {
 public:
  enum class Kind { kEcho, kConsole };

  SimDevice(Kind kind, WorkerContext& ctx) : kind_(kind), ctx_(ctx) {}
  ~SimDevice() override;

  absl::Status Open(const SerialSettings& settings, bool local) override;
  void Close() override;
  int fd() const override { return port_fd_; }
  absl::Status ApplySettings(const SerialSettings&, bool) override { return absl::OkStatus(); }
  absl::Status SetModemBits(int, bool) override { return absl::OkStatus(); }
  absl::StatusOr<int> GetModemLines() override {
    return absl::UnimplementedError("a simulated device has no modem lines");
  }
  absl::Status SetBreak(bool) override { return absl::OkStatus(); }
  absl::Status Flush(bool, bool) override { return absl::OkStatus(); }
  absl::Status Probe() override { return absl::OkStatus(); }
  absl::StatusOr<UartCounters> GetCounters() override {
    return absl::UnimplementedError("a simulated device has no UART counters");
  }
  void OnTick(TimePoint now) override;
  void Shutdown() override;
  bool Idle() const override { return !poll_in_.in_flight && !poll_out_.in_flight; }

  void OnIoComplete(IoRequest& req, int32_t res, uint32_t flags) override;

 private:
  enum Op : uint8_t { kPollIn, kPollOut };
  // Output backlog above which the simulator stops reading input (bytes).
  static constexpr size_t kMaxBacklog = 256 * 1024;

  void Pump();   // read what is readable, write what is pending, re-arm polls
  void Flush();  // write pending output without blocking
  void CloseSimEnd();

  const Kind kind_;
  WorkerContext& ctx_;
  int port_fd_ = -1;  // the end the port uses
  int sim_fd_ = -1;   // the end the simulator drives
  bool shutting_down_ = false;
  std::string out_;        // output not yet written to sim_fd_
  size_t out_offset_ = 0;  // bytes of out_ already written
  SimConsoleScript console_;
  IoRequest poll_in_{this, kPollIn};
  IoRequest poll_out_{this, kPollOut};
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_SIM_DEVICE_H_
