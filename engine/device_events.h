// DeviceEvents: what a SerialDevice tells its port on its own initiative.
//
// Most devices answer the port synchronously (Open, ApplySettings). A
// network device (network_device.h) cannot: its connection completes later,
// and an RFC 2217 server answers a settings request with the value it now
// holds, which is the value the port must report. Port implements this.
// Worker thread only; calls arrive from inside the device's own io_uring
// completions, never from inside a call the port made to the device.
#ifndef TTYHUB_ENGINE_DEVICE_EVENTS_H_
#define TTYHUB_ENGINE_DEVICE_EVENTS_H_

#include "absl/status/status.h"
#include "config/serial_settings.h"

namespace ttyhub {

class DeviceEvents {
 public:
  // An Open() that returned OK with open_pending() has finished: OK means
  // the device is usable now; an error means it is closed again, and says why.
  virtual void OnDeviceOpenFinished(const absl::Status& result) = 0;
  // The device reports the line settings in force (an RFC 2217 server's
  // answers), which may differ from those last applied.
  virtual void OnDeviceSettingsReported(const SerialSettings& settings) = 0;

 protected:
  ~DeviceEvents() = default;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_DEVICE_EVENTS_H_
