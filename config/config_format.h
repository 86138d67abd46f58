// Which kind of configuration a file holds, decided by its content.
//
// ttyhub reads three formats: its own YAML, ser2net 4's ser2net.yaml and
// ser2net 3's ser2net.conf. ser2net itself tells its two apart by the file
// name (".yaml") or a first line starting with "%YAML"; ttyhub goes by
// content alone, so that a file works whatever it is called. The rule:
//
//   1. The first line that is neither blank nor a comment (its first
//      non-blank character '#') decides between ser2net.conf and YAML. It is
//      ser2net.conf if it starts with a ser2net.conf directive keyword
//      (BANNER, SIGNATURE, OPENSTR, CLOSESTR, CLOSEON, DEVICE, TRACEFILE,
//      CONTROLPORT, RS485CONF, DEFAULT, DELDEFAULT, ROTATOR, LED) followed
//      by ':' and a character that is not a blank, or if it is a port line:
//      it starts with digits and ':' followed by a non-blank ("2000:raw:..."),
//      or it holds ":raw:", ":rawlp:", ":telnet:", ":off:" or ":on:" with no
//      blank before that ("localhost,2000:telnet:..."). Anything else
//      ("%YAML", "---", "key: value") is YAML.
//   2. A YAML file is ser2net's if one of its top-level keys (a line that
//      starts in column 1 with `key:`) is connection, define, default,
//      delete_default, include, rotator or led (any case), and none is one
//      of ttyhub's own (ports, workers, defaults, shutdown_timeout,
//      log_level, lock_dir). Otherwise it is ttyhub's.
//
// Every file ser2net reads as YAML or as old-style configuration is told
// apart the same way. Pure functions, any thread.
#ifndef TTYHUB_CONFIG_CONFIG_FORMAT_H_
#define TTYHUB_CONFIG_CONFIG_FORMAT_H_

#include "absl/strings/string_view.h"

namespace ttyhub {

enum class ConfigFormat {
  kTtyhub,       // ttyhub's YAML (config_loader.h)
  kSer2netYaml,  // ser2net 4's ser2net.yaml (ser2net_yaml.h)
  kSer2netConf,  // ser2net 3's ser2net.conf (ser2net_conf.h)
};

ConfigFormat DetectConfigFormat(absl::string_view text);

// "ttyhub YAML", "ser2net 4 ser2net.yaml", "ser2net 3 ser2net.conf".
absl::string_view ConfigFormatName(ConfigFormat format);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_CONFIG_FORMAT_H_
