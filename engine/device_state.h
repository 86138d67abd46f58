// DeviceState: where a port's device is in its open/close/reopen cycle.
//
// A light value type so snapshots carry the enum and only renderers turn it
// into text. Any thread.
#ifndef TTYHUB_ENGINE_DEVICE_STATE_H_
#define TTYHUB_ENGINE_DEVICE_STATE_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ttyhub {

enum class DeviceState : uint8_t {
  kOpen,       // reading and writing
  kClosing,    // cancelling operations before close(2)
  kReopening,  // closed after a failure; retrying with backoff
  kStopped,    // shut down
  kIdle,       // closed until a client connects (open: on_connect)
};

// "open", "closing", "reopening", "stopped": the names the JSON API, the
// metrics and ttyhubctl show.
inline absl::string_view DeviceStateName(DeviceState s) {
  switch (s) {
    case DeviceState::kOpen:
      return "open";
    case DeviceState::kClosing:
      return "closing";
    case DeviceState::kReopening:
      return "reopening";
    case DeviceState::kStopped:
      return "stopped";
    case DeviceState::kIdle:
      return "idle";
  }
  return "?";
}

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_DEVICE_STATE_H_
