// The addresses ser2net listens on, in ttyhub's terms.
//
// ser2net takes "[ipv4,|ipv6,][host,]port" (ser2net.conf, CONTROLPORT:) and
// gensio's "tcp,[ipv4|ipv6|ipv6n4,][host,]port" (ser2net.yaml accepters).
// ttyhub listens on numeric addresses, so a host must be an IPv4 or IPv6
// address or "localhost"; ser2net resolves any name. Pure function, main thread.
#ifndef TTYHUB_CONFIG_SER2NET_ADDRESS_H_
#define TTYHUB_CONFIG_SER2NET_ADDRESS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/ser2net_connection.h"

namespace ttyhub {

// `family` is "", "ipv4", "ipv6" or "ipv6n4"; `host` may be empty (every
// interface of that family). Errors say what to write instead.
absl::StatusOr<Ser2netAddress> MakeSer2netAddress(absl::string_view family, absl::string_view host,
                                                  absl::string_view port);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_ADDRESS_H_
