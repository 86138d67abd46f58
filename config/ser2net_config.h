// ser2net configurations as ttyhub configurations: the entry points.
//
// LoadConfigFile (config_loader.h) sends ser2net files here, so `ttyhub -c
// /etc/ser2net.yaml` and `ttyhub --check -c /etc/ser2net.conf` work, and
// `ttyhub convert FILE` prints the native YAML for one. Either way the file
// is read (ser2net_conf.h or ser2net_yaml.h), mapped (ser2net_mapping.h) and
// loaded as the native YAML it maps to (converted_config.h). Errors name
// the file and line; notices (one line each) are handed back for the caller
// to print or log. Main thread.
#ifndef TTYHUB_CONFIG_SER2NET_CONFIG_H_
#define TTYHUB_CONFIG_SER2NET_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/config.h"
#include "config/config_format.h"
#include "config/converted_config.h"

namespace ttyhub {

// `format` is kSer2netConf or kSer2netYaml. Errors: InvalidArgument, one
// line per problem, "FILE:LINE: ...".
absl::StatusOr<ConvertedConfig> ConvertSer2netConfig(absl::string_view text,
                                                     absl::string_view source, ConfigFormat format);

// Converts and loads. Notices are appended to *notices if it is not null.
absl::StatusOr<Config> LoadSer2netConfig(absl::string_view text, absl::string_view source,
                                         ConfigFormat format, std::vector<std::string>* notices);

// `ttyhub convert`: the native YAML for the ser2net file at `path`, checked
// to load. A ttyhub file is an error (there is nothing to convert).
absl::StatusOr<std::string> ConvertConfigFile(const std::string& path,
                                              std::vector<std::string>* notices);

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_CONFIG_H_
