// Reading ser2net 3's ser2net.conf (which ser2net 4 still reads as its "old
// style" configuration).
//
// The file is read as ser2net reads it:
//   - a line whose last character is '\' continues on the next line (the
//     backslash is dropped and the lines are joined as they are);
//   - empty lines and lines starting with '#' are skipped (ttyhub also skips
//     lines of blanks, and '#' after leading blanks, which ser2net rejects);
//   - BANNER:, SIGNATURE:, OPENSTR:, CLOSESTR:, CLOSEON:, DEVICE:,
//     TRACEFILE:, RS485CONF: and LED: define names that later port lines
//     use; DEFAULT: and DELDEFAULT: change the defaults of the port lines
//     after them; CONTROLPORT: is the control port (the first one counts);
//     ROTATOR: is refused;
//   - anything else is a port line, [host,]port:state:timeout:device:options,
//     with state raw, rawlp, telnet or off (or ser2net 4's "on", for raw).
// Options are the words after the device, separated by blanks; see
// docs/configuration.md for what becomes of each. Main thread, loading.
#ifndef TTYHUB_CONFIG_SER2NET_CONF_H_
#define TTYHUB_CONFIG_SER2NET_CONF_H_

#include "absl/strings/string_view.h"
#include "config/ser2net_diagnostics.h"
#include "config/ser2net_mapping.h"

namespace ttyhub {

// Problems go to `diag`, each naming its line.
Ser2netFile ParseSer2netConf(absl::string_view text, Ser2netDiagnostics* diag);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_CONF_H_
