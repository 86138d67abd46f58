// Reading ser2net 4's ser2net.yaml.
//
// ser2net reads its YAML as a stream of events rather than as a document, and
// so does this: the top level is a sequence of `key: value` entries in which
// keys repeat (one `connection:` per connection), read in order, each seeing
// the defines and defaults before it. As in ser2net:
//   - `define: &name text` defines `*name` (as a whole value) and `*(name)`
//     (inside any value; `*(*` is a literal "*(");
//   - `connection: &name` needs its alias, which names the connection (and
//     becomes the ttyhub port's name); its keys are accepter, connector,
//     timeout, enable and options;
//   - `default:` and `delete_default:` change the defaults of the
//     connections after them;
//   - `admin:` is ser2net's admin port, `led:` an LED; `rotator:`,
//     `include:` and `*{file}` are refused;
//   - keys are matched case-insensitively.
// Uses yaml-cpp's event parser (YAML::Parser), which also gives the anchor
// names. Main thread, loading.
#ifndef TTYHUB_CONFIG_SER2NET_YAML_H_
#define TTYHUB_CONFIG_SER2NET_YAML_H_

#include "absl/strings/string_view.h"
#include "config/ser2net_diagnostics.h"
#include "config/ser2net_mapping.h"

namespace ttyhub {

// Problems go to `diag`, each naming its line.
Ser2netFile ParseSer2netYaml(absl::string_view text, Ser2netDiagnostics* diag);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_YAML_H_
