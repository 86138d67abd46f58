// Loading and validating the native YAML configuration.
//
// Runs on the main thread at startup (and later on reload). Produces a fully
// resolved Config or an error listing every problem found, one per line, each
// naming the file, line, column and key path:
//   ttyhub.yaml:7:15: ports[0].serial: unknown parity 'x' in '9600x81'
#ifndef TTYHUB_CONFIG_CONFIG_LOADER_H_
#define TTYHUB_CONFIG_CONFIG_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/config.h"

namespace ttyhub {

// Reads and validates `path`. On failure the status message holds one line per
// error (InvalidArgument), or says why the file could not be read (NotFound etc.).
// A ser2net.conf or ser2net.yaml (told apart by content: config_format.h) is
// read as the ttyhub configuration it maps to (ser2net_config.h); its notices,
// one line each about options that mean nothing in ttyhub, are appended to
// *notices if that is not null.
absl::StatusOr<Config> LoadConfigFile(const std::string& path,
                                      std::vector<std::string>* notices = nullptr);

// Validates `text` as if it were read from a file called `source_name`.
absl::StatusOr<Config> LoadConfigText(absl::string_view text, absl::string_view source_name);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_CONFIG_LOADER_H_
