// Network device URLs: `device: tcp://HOST:PORT`, `telnet://HOST:PORT` and
// `rfc2217://HOST:PORT` (issue 13, section 1).
//
// ttyhub connects out to HOST:PORT (another ttyhub, ser2net, a terminal
// server) and serves what it reads there as the port's device. The worker
// never blocks, and resolving a name would, so HOST must be a numeric IPv4
// address, an IPv6 address in brackets ([::1]) or `localhost` (127.0.0.1).
//
// Pure functions; used by the config loader on the main thread.
#ifndef TTYHUB_CONFIG_DEVICE_URL_H_
#define TTYHUB_CONFIG_DEVICE_URL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/config.h"

namespace ttyhub {

struct DeviceUrl {
  Protocol protocol = Protocol::kRaw;  // tcp:// is raw
  std::string host;                    // numeric: "127.0.0.1" or "::1" (no brackets)
  uint16_t port = 0;                   // 1..65535
};

// Whether `text` is written as a URL (SCHEME://...), known scheme or not.
bool LooksLikeDeviceUrl(absl::string_view text);

// Parses "tcp://127.0.0.1:7001", "telnet://[::1]:23", "rfc2217://localhost:7004".
// The scheme is case-insensitive. Errors say what is wrong and what to write,
// e.g. "unknown scheme 'ssh' in 'ssh://h:22' (use tcp://, telnet:// or rfc2217://)".
absl::StatusOr<DeviceUrl> ParseDeviceUrl(absl::string_view text);

// "tcp", "telnet", "rfc2217": the scheme of a network device's protocol.
absl::string_view DeviceUrlScheme(Protocol p);

// "127.0.0.1:7001" or "[::1]:7001".
std::string FormatHostPort(const std::string& host, uint16_t port);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_DEVICE_URL_H_
