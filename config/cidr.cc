// CIDR parsing and matching. See cidr.h.
#include "config/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {
namespace {

bool PrefixMatches(const uint8_t* a, const uint8_t* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

absl::StatusOr<Cidr> ParseCidr(absl::string_view text) {
  Cidr net;
  net.text = std::string(text);
  absl::string_view address = text;
  int prefix = -1;
  if (const size_t slash = text.find('/'); slash != absl::string_view::npos) {
    address = text.substr(0, slash);
    const absl::string_view bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 || !absl::SimpleAtoi(bits, &prefix) || prefix < 0 ||
        bits.find_first_not_of("0123456789") != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' has a bad prefix length after '/'"));
    }
  }
  const std::string host(address);
  if (inet_pton(AF_INET, host.c_str(), net.address.data()) == 1) {
    net.v6 = false;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "': an IPv4 prefix is 0 to 32"));
    }
  } else if (inet_pton(AF_INET6, host.c_str(), net.address.data()) == 1) {
    net.v6 = true;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "': an IPv6 prefix is 0 to 128"));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a network such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32"));
  }
  net.prefix = static_cast<uint8_t>(prefix);
  // Host bits below the prefix must be zero.
  const int total = net.v6 ? 128 : 32;
  for (int bit = prefix; bit < total; ++bit) {
    if (net.address[static_cast<size_t>(bit / 8)] & (0x80 >> (bit % 8))) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' has host bits set below its /", prefix,
                       " prefix (did you mean a different network?)"));
    }
  }
  return net;
}

bool CidrContains(const Cidr& net, const sockaddr* addr) {
  if (addr == nullptr) return false;
  const uint8_t* bytes = nullptr;
  bool v6 = false;
  if (addr->sa_family == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr);
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    bytes = in6->sin6_addr.s6_addr;
    v6 = true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      bytes += 12;  // ::ffff:a.b.c.d is the IPv4 client a.b.c.d
      v6 = false;
    }
  } else {
    return false;
  }
  if (v6 != net.v6) return false;
  return PrefixMatches(bytes, net.address.data(), net.prefix);
}

}  // namespace ttyhub
