// ser2net's per-connection options, applied to a Ser2netConnection.
//
// ser2net.conf writes them as words on a port line ("9600 EVEN LOCAL
// kickolduser tr=tr1"), ser2net.yaml as serialdev parameters ("9600n81,local")
// and as an `options:` mapping ("kickolduser: true"). The parsers normalise
// them to ser2net 4's names and hand them here, so that both formats treat
// each option alike:
//   - it maps onto a connection setting, which config/ser2net_mapping.h turns
//     into ttyhub's configuration (or refuses there, if its meaning depends
//     on the rest of the connection);
//   - or it means nothing in ttyhub and gets a one-line notice;
//   - or ttyhub cannot honour it, and it is an error naming the line.
// Pure functions, main thread.
#ifndef TTYHUB_CONFIG_SER2NET_OPTIONS_H_
#define TTYHUB_CONFIG_SER2NET_OPTIONS_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "config/ser2net_connection.h"
#include "config/ser2net_diagnostics.h"

namespace ttyhub {

// ser2net's booleans: true/false, on/off, yes/no, 1/0 (any case). An empty
// value is true, as a bare "kickolduser" is.
std::optional<bool> ParseSer2netBool(absl::string_view value);

// A serial device parameter: a speed ("9600", "9600n81", "speed=9600e71"),
// "EVEN", "7DATABITS", "2STOPBITS", [-]XONXOFF, "rtscts=false", "local",
// "hangup-when-done", "nobreak", and serialdev's other parameters. Returns
// false if `word` is none of these (the caller tries other options).
bool ApplySer2netSerialWord(absl::string_view word, const Ser2netOrigin& origin,
                            Ser2netConnection* c, Ser2netDiagnostics* diag);

// A ser2net option by its ser2net.yaml name ("kickolduser", "trace-read",
// "max-connections"...), with its value ("" if none was given). `origin.text`
// is the option as written, for messages.
void ApplySer2netOption(absl::string_view name, absl::string_view value,
                        const Ser2netOrigin& origin, Ser2netConnection* c,
                        Ser2netDiagnostics* diag);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_OPTIONS_H_
