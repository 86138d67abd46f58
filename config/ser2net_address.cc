// ser2net listen addresses. See ser2net_address.h.
#include "config/ser2net_address.h"

#include <arpa/inet.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ttyhub {

absl::StatusOr<Ser2netAddress> MakeSer2netAddress(absl::string_view family, absl::string_view host,
                                                  absl::string_view port) {
  Ser2netAddress a;
  uint32_t number = 0;
  if (port.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(port[0])) ||
      !absl::SimpleAtoi(port, &number) || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a TCP port number (1 to 65535), got '", port, "'"));
  }
  if (number == 0) {
    return absl::InvalidArgumentError(
        "port 0 (ser2net: a random port, or stdin and stdout) is not supported: give a TCP port");
  }
  a.port = static_cast<uint16_t>(number);
  const bool v4_only = family == "ipv4";
  const bool v6_only = family == "ipv6";
  // "[::1]" is how ttyhub writes it; ser2net takes the bare address.
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    a.host = v4_only ? "0.0.0.0" : v6_only ? "::" : "";
    return a;
  }
  if (absl::AsciiStrToLower(host) == "localhost") {
    a.host = v6_only ? "::1" : "127.0.0.1";
    a.localhost = !v4_only && !v6_only;
    return a;
  }
  const std::string h(host);
  in_addr a4;
  in6_addr a6;
  if (inet_pton(AF_INET, h.c_str(), &a4) == 1) {
    if (v6_only) {
      return absl::InvalidArgumentError(absl::StrCat("'", host, "' is not an IPv6 address"));
    }
    a.host = h;
    return a;
  }
  if (inet_pton(AF_INET6, h.c_str(), &a6) == 1) {
    if (v4_only) {
      return absl::InvalidArgumentError(absl::StrCat("'", host, "' is not an IPv4 address"));
    }
    a.host = h;
    return a;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("ttyhub listens on numeric addresses: give the address of '", host,
                   "' (or localhost, or no host for every interface)"));
}

}  // namespace ttyhub
