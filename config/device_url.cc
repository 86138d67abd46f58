// Network device URLs. See device_url.h.
#include "config/device_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ttyhub {

bool LooksLikeDeviceUrl(absl::string_view text) {
  const size_t colon = text.find("://");
  if (colon == absl::string_view::npos || colon == 0) return false;
  for (const char c : text.substr(0, colon)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

absl::string_view DeviceUrlScheme(Protocol p) {
  switch (p) {
    case Protocol::kRaw:
      return "tcp";
    case Protocol::kTelnet:
      return "telnet";
    case Protocol::kRfc2217:
      return "rfc2217";
  }
  return "tcp";
}

std::string FormatHostPort(const std::string& host, uint16_t port) {
  return host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                             : absl::StrCat(host, ":", port);
}

absl::StatusOr<DeviceUrl> ParseDeviceUrl(absl::string_view text) {
  const size_t sep = text.find("://");
  if (sep == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a URL (use tcp://, telnet:// or rfc2217://HOST:PORT)"));
  }
  const std::string scheme = absl::AsciiStrToLower(text.substr(0, sep));
  DeviceUrl url;
  if (scheme == "tcp") {
    url.protocol = Protocol::kRaw;
  } else if (scheme == "telnet") {
    url.protocol = Protocol::kTelnet;
  } else if (scheme == "rfc2217") {
    url.protocol = Protocol::kRfc2217;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown scheme '", text.substr(0, sep),
                                                   "' in '", text,
                                                   "' (use tcp://, telnet:// or rfc2217://)"));
  }
  const absl::string_view rest = text.substr(sep + 3);
  const std::string example = absl::StrCat(scheme, "://127.0.0.1:7001");
  if (rest.find_first_of("/?#@") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' has more than HOST:PORT after the scheme (write it like ", example, ")"));
  }
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "': '[' without ']' around the IPv6 address"));
    }
    host = rest.substr(1, close - 1);
    const absl::string_view after = rest.substr(close + 1);
    if (!absl::StartsWith(after, ":")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "' needs a port after the address, like ", scheme, "://[::1]:7001"));
    }
    port = after.substr(1);
    in6_addr a6{};
    if (!std::string(host).empty() && inet_pton(AF_INET6, std::string(host).c_str(), &a6) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "': '", host, "' is not an IPv6 address"));
    }
    if (host.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "' has an empty address"));
    }
    url.host = std::string(host);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "' needs a port, like ", example));
    }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "': write an IPv6 address in brackets, like ", scheme, "://[::1]:7001"));
    }
    if (host.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "' has no host, like ", example));
    }
    in_addr a4{};
    if (absl::AsciiStrToLower(host) == "localhost") {
      url.host = "127.0.0.1";
    } else if (inet_pton(AF_INET, std::string(host).c_str(), &a4) == 1) {
      url.host = std::string(host);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "': host '", host,
                       "' is not a numeric IPv4 address, an IPv6 address in brackets or localhost "
                       "(ttyhub does not look names up: that would block its worker)"));
    }
  }
  uint32_t number = 0;
  if (port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' needs a port, like ", example));
  }
  if (!std::all_of(port.begin(), port.end(),
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
      !absl::SimpleAtoi(port, &number) || number == 0 || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': port '", port, "' is not a number from 1 to 65535"));
  }
  url.port = static_cast<uint16_t>(number);
  return url;
}

}  // namespace ttyhub
