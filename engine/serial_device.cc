// Device factory. See serial_device.h.
#include "engine/serial_device.h"

#include "absl/strings/str_cat.h"
#include "engine/network_device.h"
#include "engine/pty_device.h"
#include "engine/sim_device.h"
#include "engine/tty_device.h"

namespace ttyhub {

std::unique_ptr<SerialDevice> MakeSerialDevice(const PortConfig& config, WorkerContext& ctx,
                                               DeviceEvents& events) {
  switch (config.device.kind) {
    case DeviceKind::kTty:
      return std::make_unique<TtyDevice>(config.device.path, *ctx.tty, config.lock_dir, ctx.log,
                                         absl::StrCat("port ", config.name), config.write_only);
    case DeviceKind::kPty:
      return std::make_unique<PtyDevice>(config.device.path, *ctx.tty);
    case DeviceKind::kSim:
      return std::make_unique<SimDevice>(
          config.device.path == "echo" ? SimDevice::Kind::kEcho : SimDevice::Kind::kConsole, ctx);
    case DeviceKind::kNetwork:
      return std::make_unique<NetworkDevice>(config.device, config.name, ctx, events);
  }
  return nullptr;
}

}  // namespace ttyhub
