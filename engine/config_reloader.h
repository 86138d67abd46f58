// ConfigReloader: re-reads the configuration file and applies it to the
// running engine (issue 11, hot reload). The triggers are SIGHUP (and so
// `systemctl reload ttyhub`), `ttyhubctl reload` and POST /api/v1/reload.
//
// The new file is loaded and validated completely before anything changes:
// an invalid file changes nothing, and its errors (file:line:col) are
// logged and returned. Then Engine::Reload applies it port by port, and
// what changed is logged and returned, one line per port.
//
// Called from the main thread (signals) and the admin server's threads;
// Engine::Reload serializes the reloads themselves.
#ifndef TTYHUB_ENGINE_CONFIG_RELOADER_H_
#define TTYHUB_ENGINE_CONFIG_RELOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttyhub {

class Engine;
class Logger;

class ConfigReloader {
 public:
  // `path`: the file ttyhub runs from; "" for the built-in demo, which has
  // nothing to reload.
  ConfigReloader(std::string path, Engine& engine, Logger& log)
      : path_(std::move(path)), engine_(engine), log_(log) {}

  // `trigger` names the caller in the log ("SIGHUP", "admin API").
  // InvalidArgument with the file's errors if it is invalid (nothing
  // changed); FailedPrecondition for the demo; else one line per change.
  absl::StatusOr<std::vector<std::string>> Reload(absl::string_view trigger);

 private:
  const std::string path_;
  Engine& engine_;
  Logger& log_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CONFIG_RELOADER_H_
