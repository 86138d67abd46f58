// ser2net's defaults: DEFAULT: lines in ser2net.conf, `default:` and
// `delete_default:` blocks in ser2net.yaml.
//
// A default applies to the connections that come after it in the file, as in
// ser2net, so the parsers keep one Ser2netDefaults while they read and make
// each new connection from it. A default may be for every class, or for one:
// `serialdev` (serial parameters), `ser2net` (ser2net's options) and
// `telnet` (its rfc2217 parameter) are the classes ttyhub has; a default for
// another class (ipmisol, tcp, ssl...) reaches nothing ttyhub serves and gets
// a notice. Values are checked when the default is set, and applied to each
// connection with the default's line as their origin. Main thread.
#ifndef TTYHUB_CONFIG_SER2NET_DEFAULTS_H_
#define TTYHUB_CONFIG_SER2NET_DEFAULTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "config/ser2net_connection.h"
#include "config/ser2net_diagnostics.h"

namespace ttyhub {

class Ser2netDefaults {
 public:
  // `name` as either version spells it ("hangup_when_done" or
  // "hangup-when-done", ser2net 3's "databits", "parity"...); `cls` "" for
  // every class. `origin.text` is the default as written.
  void Set(absl::string_view name, absl::string_view cls, absl::string_view value,
           const Ser2netOrigin& origin, Ser2netDiagnostics* diag);
  // ser2net's delete_default: the class's own value goes, the general one stays.
  void Delete(absl::string_view name, absl::string_view cls, const Ser2netOrigin& origin,
              Ser2netDiagnostics* diag);

  // A connection with ser2net's built-in defaults and the defaults set so far.
  Ser2netConnection NewConnection(Ser2netDiagnostics* diag) const;

 private:
  struct Value {
    std::string name;  // normalised: ser2net 4's spelling
    bool for_class;    // set for the class (serialdev, ser2net, telnet) rather than for all
    std::string value;
    Ser2netOrigin origin;
  };
  // Applies one default to `c`, reporting problems at its line.
  static void Apply(const Value& v, Ser2netConnection* c, Ser2netDiagnostics* diag);

  std::vector<Value> values_;  // at most one per (name, for_class)
};

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_DEFAULTS_H_
