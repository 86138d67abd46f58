// ser2net configurations, read, mapped and loaded. See ser2net_config.h.
#include "config/ser2net_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "config/ser2net_conf.h"
#include "config/ser2net_diagnostics.h"
#include "config/ser2net_mapping.h"
#include "config/ser2net_yaml.h"

namespace ttyhub {

absl::StatusOr<ConvertedConfig> ConvertSer2netConfig(absl::string_view text,
                                                     absl::string_view source,
                                                     ConfigFormat format) {
  Ser2netDiagnostics diag{std::string(source)};
  const Ser2netFile file = format == ConfigFormat::kSer2netYaml ? ParseSer2netYaml(text, &diag)
                                                                : ParseSer2netConf(text, &diag);
  // Mapped even after errors, so that one run reports every problem.
  ConvertedConfig converted = MapSer2netFile(file, &diag);
  if (diag.has_errors()) return diag.ErrorStatus();
  converted.format = std::string(ConfigFormatName(format));
  return converted;
}

absl::StatusOr<Config> LoadSer2netConfig(absl::string_view text, absl::string_view source,
                                         ConfigFormat format, std::vector<std::string>* notices) {
  absl::StatusOr<ConvertedConfig> converted = ConvertSer2netConfig(text, source, format);
  if (!converted.ok()) return converted.status();
  if (notices != nullptr) {
    notices->insert(notices->end(), converted->notices.begin(), converted->notices.end());
  }
  return LoadConvertedConfig(*converted);
}

absl::StatusOr<std::string> ConvertConfigFile(const std::string& path,
                                              std::vector<std::string>* notices) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open configuration file: ", std::strerror(errno)));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error: ", std::strerror(errno)));
  }
  const std::string text = buf.str();
  const ConfigFormat format = DetectConfigFormat(text);
  if (format == ConfigFormat::kTtyhub) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": is a ttyhub configuration already (convert reads ser2net.conf and ser2net.yaml "
        "files)"));
  }
  absl::StatusOr<ConvertedConfig> converted = ConvertSer2netConfig(text, path, format);
  if (!converted.ok()) return converted.status();
  // What the printed text loads to is what ttyhub would run: check it.
  if (absl::StatusOr<Config> loaded = LoadConvertedConfig(*converted); !loaded.ok()) {
    return loaded.status();
  }
  if (notices != nullptr) {
    notices->insert(notices->end(), converted->notices.begin(), converted->notices.end());
  }
  return RenderConvertedConfig(*converted).text;
}

}  // namespace ttyhub
