// A ttyhub configuration converted from another format (ser2net's), held as
// native YAML keys that each remember the source line they came from.
//
// It has two uses, and one text serves both: `ttyhub convert` prints it
// (RenderConvertedConfig), and ttyhub loads it by handing that same text to
// the native loader (LoadConvertedConfig). So a converted file is validated
// by the same code, with the same defaults, as a hand-written one, and the
// printed YAML loads to exactly the configuration ttyhub runs. Errors the
// native loader finds in the text (two ports on one TCP port...) are reported
// at the source lines the offending items came from. Main thread, loading.
#ifndef TTYHUB_CONFIG_CONVERTED_CONFIG_H_
#define TTYHUB_CONFIG_CONVERTED_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/config.h"

namespace ttyhub {

// One `key: value` line.
struct ConvertedKey {
  std::string key;
  std::string yaml;     // the value, already a valid YAML scalar (see YamlScalar)
  int line = 0;         // source line it came from; 0: the item's own line
  std::string comment;  // without '#'; "" for none
};

struct ConvertedListener {
  int line = 0;         // source line
  std::string comment;  // put on a line of its own above the listener; "" for none
  std::vector<ConvertedKey> keys;
};

struct ConvertedPort {
  int line = 0;         // source line
  std::string comment;  // above the port, e.g. "ser2net.conf:12: 1001:raw:600:/dev/ttyS0"
  std::vector<std::string> notes;  // more comment lines above it (notices)
  std::vector<ConvertedKey> keys;  // name, device, serial...: everything but `listen`
  std::vector<ConvertedListener> listeners;
};

struct ConvertedConfig {
  std::string source;                // the file converted, as named by the user
  std::string format;                // e.g. "ser2net 3 (ser2net.conf)"
  std::vector<std::string> notes;    // comment lines at the top (notices of no port)
  int admin_line = 0;                // source line of the admin block; 0: none
  std::vector<ConvertedKey> admin;   // the admin block's keys; empty: no admin block
  std::vector<ConvertedPort> ports;  // at least one
  std::vector<std::string> notices;  // "FILE:LINE: notice: ...", in line order
};

// The native YAML text, and for each of its lines (index 0 is line 1) the
// source line it came from (0: none).
struct RenderedConfig {
  std::string text;
  std::vector<int> source_lines;
};

RenderedConfig RenderConvertedConfig(const ConvertedConfig& converted);

// Loads the rendered text with the native loader. The Config's `source` is
// converted.source, and its `where` fields name source lines.
absl::StatusOr<Config> LoadConvertedConfig(const ConvertedConfig& converted);

// `s` as a YAML scalar: plain if that reads back as the same string, else
// single-quoted. `s` must be printable (no control characters).
std::string YamlScalar(absl::string_view s);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_CONVERTED_CONFIG_H_
