// SerialDevice: what a Port reads from and writes to.
//
// A SerialDevice turns the port's `device:` setting into a non-blocking file
// descriptor and knows how to (re)open it and apply line settings. The Port
// owns the data path on that fd (polls, reads into the fan-out ring, writes
// from the input queue); the device owns the fd's lifetime.
//
// Kinds:
//   TtyDevice  a tty path; reopened with backoff when it fails (unplugged USB)
//   PtyDevice  ttyhub creates a pty pair and publishes the far end as a symlink
//   SimDevice  a built-in simulator on the same worker (sim:echo, sim:console)
//   NetworkDevice  tcp://, telnet:// or rfc2217://HOST:PORT: a connection out
//              to another ttyhub, ser2net or a terminal server
//
// Owned by one Port; every call happens on that port's worker thread.
#ifndef TTYHUB_ENGINE_SERIAL_DEVICE_H_
#define TTYHUB_ENGINE_SERIAL_DEVICE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "config/config.h"
#include "engine/device_events.h"
#include "engine/line_error_monitor.h"
#include "engine/tty_control.h"
#include "engine/worker_context.h"

namespace ttyhub {

class SerialDevice {
 public:
  virtual ~SerialDevice() = default;

  // Opens the device and applies `settings`. On success fd() is a
  // non-blocking descriptor ready for poll/read/write. Never blocks.
  virtual absl::Status Open(const SerialSettings& settings, bool local) = 0;

  // Closes fd(). The caller has already cancelled and reaped every io_uring
  // operation on it.
  virtual void Close() = 0;

  virtual int fd() const = 0;

  // True after an Open() that returned OK with the device not usable yet (a
  // network device still connecting): the outcome arrives later through
  // DeviceEvents::OnDeviceOpenFinished, and fd() is not to be used until then.
  virtual bool open_pending() const { return false; }
  // False for devices that carry bytes only (tcp://, telnet://): there is no
  // serial line for ApplySettings to set.
  virtual bool has_line_settings() const { return true; }
  // Why the open device failed, when it knows better than the errno the
  // port saw ("the remote end closed the connection"); "" otherwise.
  virtual std::string FailureReason() const { return {}; }

  // Applies new line settings to the open device.
  virtual absl::Status ApplySettings(const SerialSettings& settings, bool local) = 0;

  // Raises or drops DTR and RTS (hangup_when_done). Devices without modem
  // lines return an error the caller may ignore.
  absl::Status SetModemLines(bool on) { return SetModemBits(kModemDtr | kModemRts, on); }
  // Raises or drops the given output lines (kModemDtr, kModemRts).
  virtual absl::Status SetModemBits(int bits, bool on) = 0;
  // Every modem line (kModem* bits), or an error if the device has none.
  virtual absl::StatusOr<int> GetModemLines() = 0;
  virtual absl::Status SetBreak(bool on) = 0;
  // Checks that the open fd still works (a cheap ioctl), after a poll error.
  virtual absl::Status Probe() = 0;
  // Discards data the driver holds in either direction.
  virtual absl::Status Flush(bool input, bool output) = 0;

  // UART error counters (TIOCGICOUNT). An error means the device has none,
  // which is reported as "unavailable", never as zeros.
  virtual absl::StatusOr<UartCounters> GetCounters() = 0;

  // Periodic callback (the worker tick), for simulators.
  virtual void OnTick(TimePoint /*now*/) {}

  // Final cleanup when the port stops: cancel internal operations, remove
  // published links. Idle() reports when nothing is in flight any more.
  virtual void Shutdown() {}
  virtual bool Idle() const { return true; }
};

// Builds the device for `config.device`. Does not open it. `events` (the
// port) outlives the device.
std::unique_ptr<SerialDevice> MakeSerialDevice(const PortConfig& config, WorkerContext& ctx,
                                               DeviceEvents& events);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_SERIAL_DEVICE_H_
