// Translating ser2net's strings into ttyhub's: banners (into config/banner.h
// templates) and trace file names (into config/log_path.h templates).
//
// ser2net expands its escapes when a client connects (banners) or when the
// device is opened (trace files). Most carry over to an escape ttyhub has;
// those whose value is fixed by the configuration (ser2net 4's \p is the
// whole accepter string, its \d the whole connector string) are written out
// as text, so that clients see exactly the bytes ser2net sent. ser2net's
// quirks are kept: an unknown escape stands for its letter, a trailing lone
// backslash is dropped, and an octal or hex escape cut short by a non-digit
// sends nothing. What ttyhub cannot express (the time or the client's address
// in a banner, a control character in a file name) is an error. Pure
// functions, main thread.
#ifndef TTYHUB_CONFIG_SER2NET_STRINGS_H_
#define TTYHUB_CONFIG_SER2NET_STRINGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/ser2net_connection.h"

namespace ttyhub {

// The static values of one connection's escapes.
struct Ser2netStringContext {
  Ser2netDialect dialect = Ser2netDialect::kConf;
  std::string port_name;               // the ttyhub port's name (%n, \N)
  std::string connection_name;         // ser2net's name for it (ser2net.yaml: the alias)
  std::string accepter_text;           // \p as ser2net expands it
  bool accepter_is_bare_port = false;  // ser2net.conf: \p is the listener's port number
  std::string device_alias;            // ser2net.conf: the DEVICE name used, for \o; "" if none
  std::string connector_text;          // ser2net.yaml: \d (the whole connector string)
  std::string serial_text;             // the configured framing, "9600N81"
  std::string serial_flags;  // ser2net.yaml \B's tail: ",XONXOFF", ",RTSCTS", ",CLOCAL"...
  bool echo = false;         // ser2net.yaml `connector: echo`: \B is empty
};

// A ttyhub banner template that sends what ser2net would send.
absl::StatusOr<std::string> TranslateSer2netBanner(absl::string_view text,
                                                   const Ser2netStringContext& ctx);

// A ttyhub log path template naming the file ser2net would name. The result
// is validated (ValidateLogPathTemplate); the error says what is wrong.
absl::StatusOr<std::string> TranslateSer2netFilename(absl::string_view text,
                                                     const Ser2netStringContext& ctx);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_STRINGS_H_
