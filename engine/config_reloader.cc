// Reloading the configuration file. See config_reloader.h.
#include "engine/config_reloader.h"

#include "absl/strings/str_cat.h"
#include "config/config_loader.h"
#include "engine/engine.h"
#include "engine/logger.h"

namespace ttyhub {

absl::StatusOr<std::vector<std::string>> ConfigReloader::Reload(absl::string_view trigger) {
  if (path_.empty()) {
    log_.Warn(absl::StrCat("reload (", trigger,
                           "): the built-in demo configuration has no file to reload"));
    return absl::FailedPreconditionError(
        "the built-in demo configuration has no file to reload; run ttyhub -c FILE");
  }
  // A ser2net file's notices (options that mean nothing here) are said
  // again at each reload, as at start.
  std::vector<std::string> notices;
  absl::StatusOr<Config> next = LoadConfigFile(path_, &notices);
  for (const std::string& notice : notices) {
    log_.Info(absl::StrCat("reload (", trigger, "): ", notice));
  }
  if (!next.ok()) {
    log_.Error(absl::StrCat("reload (", trigger, "): ", path_,
                            " is invalid; nothing changed: ", next.status().message()));
    return absl::InvalidArgumentError(next.status().message());
  }
  auto report = engine_.Reload(*next);
  if (!report.ok()) {
    log_.Error(absl::StrCat("reload (", trigger, "): ", report.status().message()));
    return report.status();
  }
  for (const std::string& line : *report) {
    log_.Info(absl::StrCat("reload (", trigger, "): ", line));
  }
  return report;
}

}  // namespace ttyhub
