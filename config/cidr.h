// IP networks in CIDR notation for listener allow- and deny-lists (issue 12):
// "10.0.0.0/8", "192.0.2.7" (a single host), "2001:db8::/32", "::1".
// IPv4-mapped IPv6 peers (::ffff:a.b.c.d, what an IPv6 socket reports for
// an IPv4 client) match IPv4 networks. Pure functions; any thread.
#ifndef TTYHUB_CONFIG_CIDR_H_
#define TTYHUB_CONFIG_CIDR_H_

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // network byte order; IPv4 uses the first 4 bytes
  uint8_t prefix = 0;                 // bits: 0..32 (IPv4) or 0..128 (IPv6)
  std::string text;                   // as written, for logs and the API

  bool operator==(const Cidr& other) const {
    return v6 == other.v6 && address == other.address && prefix == other.prefix;
  }
};

// Parses one network. Host bits set below the prefix ("10.1.2.3/8") are an
// error: it is nearly always a typo for a different network.
absl::StatusOr<Cidr> ParseCidr(absl::string_view text);

// Whether the peer address `addr` (AF_INET or AF_INET6 sockaddr) is in `net`.
bool CidrContains(const Cidr& net, const sockaddr* addr);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_CIDR_H_
