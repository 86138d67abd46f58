// Mapping ser2net connections onto a ttyhub configuration.
//
// Both ser2net parsers (config/ser2net_conf.h, config/ser2net_yaml.h) read
// their file into Ser2netConnections; this turns them into a ConvertedConfig
// (config/converted_config.h), which `ttyhub convert` prints and ttyhub
// loads. It decides what becomes of each setting:
//   - a device becomes a port; connections that share a device with the same
//     settings become that port's listeners (ser2net lists one device under
//     several TCP ports, e.g. one telnet and one raw);
//   - each accepter address becomes a listener with ser2net's defaults made
//     explicit (max_clients: 1, local: false...);
//   - banners and trace file names are translated (config/ser2net_strings.h),
//     traces become the port's console log (`log:`), kickolduser becomes
//     `when_full: kick_oldest`;
//   - what needs engine support ttyhub lacks is an error naming the line;
//     what means nothing in ttyhub is a notice.
// Main thread, while loading.
#ifndef TTYHUB_CONFIG_SER2NET_MAPPING_H_
#define TTYHUB_CONFIG_SER2NET_MAPPING_H_

#include <optional>
#include <vector>

#include "config/converted_config.h"
#include "config/ser2net_connection.h"
#include "config/ser2net_diagnostics.h"

namespace ttyhub {

// What a ser2net parser read.
struct Ser2netFile {
  Ser2netDialect dialect = Ser2netDialect::kConf;
  std::vector<Ser2netConnection> connections;  // in file order
  std::optional<Ser2netAdmin> admin;
};

// Errors and notices go to `diag`; the result is complete only if `diag` has
// no errors. Its `format` is left for the caller.
ConvertedConfig MapSer2netFile(const Ser2netFile& file, Ser2netDiagnostics* diag);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_MAPPING_H_
