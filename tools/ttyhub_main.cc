// ttyhub: the daemon's entry point.
//
// Runs in the foreground, the systemd way (Type=notify: READY=1 once every
// listener is bound). The main thread parses flags, loads the configuration,
// starts the engine's workers and then only waits for signals:
// SIGINT/SIGTERM stop gracefully (flush for shutdown_timeout, exit 0).
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "config/config_loader.h"
#include "config/ser2net_config.h"
#include "engine/admin_server.h"
#include "engine/config_reloader.h"
#include "engine/engine.h"
#include "engine/logger.h"
#include "engine/metrics.h"
#include "engine/tty_control.h"
#include "tools/demo_config.h"

namespace ttyhub {
namespace {

constexpr const char* kVersion = TTYHUB_VERSION;

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: ttyhub -c FILE [--foreground] [--log-level LEVEL]\n"
               "       ttyhub --check -c FILE\n"
               "       ttyhub convert FILE\n"
               "       ttyhub --demo\n"
               "       ttyhub --version\n"
               "\n"
               "Serves serial devices to TCP clients. Runs in the foreground (for systemd,\n"
               "a terminal or a container); --foreground is accepted and changes nothing.\n"
               "\n"
               "  -c, --config FILE    configuration: ttyhub YAML, or ser2net's ser2net.yaml or\n"
               "                       ser2net.conf (see docs/configuration.md)\n"
               "      --check          validate the configuration and exit 0 (valid) or 1\n"
               "      --demo           run the built-in demo: simulated devices on ports\n"
               "                       7001-7003, no hardware needed\n"
               "      --log-level L    debug, info, warn or error (overrides the config)\n"
               "      --pidfile FILE   write the process ID to FILE once started; removed on exit\n"
               "      --list-metrics   print every exported metric as a Markdown table\n"
               "      --version        print the version and exit\n"
               "  convert FILE         print the ttyhub YAML for a ser2net.conf or ser2net.yaml\n");
}

// `ttyhub convert FILE`: prints the ttyhub YAML for a ser2net configuration,
// its notices to stderr. Exit 0, 1 (the file has errors) or 2 (usage).
int Convert(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ttyhub convert FILE\n");
    return 2;
  }
  std::vector<std::string> notices;
  const absl::StatusOr<std::string> yaml = ConvertConfigFile(argv[2], &notices);
  for (const std::string& notice : notices) std::fprintf(stderr, "%s\n", notice.c_str());
  if (!yaml.ok()) {
    std::fprintf(stderr, "%s\n", std::string(yaml.status().message()).c_str());
    return 1;
  }
  std::fputs(yaml->c_str(), stdout);
  return 0;
}

struct Options {
  std::string config_path;
  bool check = false;
  bool demo = false;
  std::string log_level;
  std::string pidfile;
};

// Returns -1 to continue, or an exit code.
int ParseArgs(int argc, char** argv, Options* opts) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ttyhub: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    if (arg == "-c" || arg == "--config") {
      const char* v = value("--config");
      if (v == nullptr) return 2;
      opts->config_path = v;
    } else if (absl::StartsWith(arg, "--config=")) {
      opts->config_path = arg.substr(9);
    } else if (arg == "--check") {
      opts->check = true;
    } else if (arg == "--foreground" || arg == "-f") {
      // Always in the foreground.
    } else if (arg == "--demo") {
      opts->demo = true;
    } else if (arg == "--log-level") {
      const char* v = value("--log-level");
      if (v == nullptr) return 2;
      opts->log_level = v;
    } else if (arg == "--pidfile") {
      const char* v = value("--pidfile");
      if (v == nullptr) return 2;
      opts->pidfile = v;
    } else if (arg == "--list-metrics") {
      std::fputs(MetricsMarkdownTable().c_str(), stdout);
      return 0;
    } else if (arg == "--version" || arg == "-V") {
      std::printf("ttyhub %s\n", kVersion);
      return 0;
    } else if (arg == "-h" || arg == "--help") {
      PrintUsage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "ttyhub: unknown argument '%s'\n\n", arg.c_str());
      PrintUsage(stderr);
      return 2;
    }
  }
  if (opts->config_path.empty() && !opts->demo) {
    std::fprintf(stderr, "ttyhub: no configuration: use -c FILE (or --demo)\n\n");
    PrintUsage(stderr);
    return 2;
  }
  if (!opts->config_path.empty() && opts->demo) {
    std::fprintf(stderr, "ttyhub: --demo and -c are exclusive\n");
    return 2;
  }
  return -1;
}

// Writes "PID\n" to `path` (replacing a file, never following a symlink).
absl::Status WritePidFile(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("--pidfile ", path));
  const std::string text = absl::StrCat(getpid(), "\n");
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int err = errno;
  close(fd);
  return ok ? absl::OkStatus() : absl::ErrnoToStatus(err, absl::StrCat("--pidfile ", path));
}

// Removes the PID file if it still names this process.
void RemovePidFile(const std::string& path) {
  char buf[32] = {};
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  const ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n > 0 && absl::StrCat(getpid(), "\n") == std::string(buf, static_cast<size_t>(n))) {
    unlink(path.c_str());
  }
}

// Each port needs a device fd, its listeners and one per client.
void RaiseFileLimit(Logger& log) {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      log.Warn(absl::StrCat("cannot raise the open-file limit: ", std::strerror(errno)));
    }
  }
}

int Run(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "convert") == 0) return Convert(argc, argv);
  Options opts;
  if (int rc = ParseArgs(argc, argv, &opts); rc >= 0) return rc;

  // Signals are taken synchronously by the main thread (sigwait); block them
  // before any worker thread exists so that workers inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::string source = opts.demo ? "<built-in demo>" : opts.config_path;
  std::vector<std::string> notices;  // about ser2net options that mean nothing in ttyhub
  absl::StatusOr<Config> config = opts.demo ? LoadConfigText(kDemoConfigYaml, source)
                                            : LoadConfigFile(opts.config_path, &notices);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    if (opts.check) std::fprintf(stderr, "ttyhub: %s: invalid\n", source.c_str());
    return 1;
  }
  if (opts.check) {
    for (const std::string& notice : notices) std::fprintf(stderr, "%s\n", notice.c_str());
    size_t listeners = 0;
    for (const PortConfig& p : config->ports) listeners += p.listeners.size();
    std::printf("%s: OK: %zu ports, %zu listeners, %u workers\n", source.c_str(),
                config->ports.size(), listeners, config->workers);
    return 0;
  }

  Logger log(Logger::ParseLevel(opts.log_level.empty() ? config->log_level : opts.log_level));
  RaiseFileLimit(log);
  log.Info(absl::StrCat("ttyhub ", kVersion, " starting: ", config->ports.size(), " ports, ",
                        config->workers, " workers requested, config ", source));
  for (const std::string& notice : notices) log.Info(notice);
  KernelTtyControl tty;
  // What Run() still needs once the Engine has the configuration: the Engine
  // takes it by move, so that one copy of every port's settings stays, not
  // two. A reload cannot change these (Engine::Reload reports, not applies).
  const size_t port_count = config->ports.size();
  const std::chrono::milliseconds shutdown_timeout = config->shutdown_timeout;
  const AdminConfig admin_config = config->admin;  // AdminServer keeps a reference
  Engine engine(*std::move(config), log, tty);
  if (absl::Status s = engine.Start(); !s.ok()) {
    log.Error(absl::StrCat("cannot start: ", s.message()));
    return 1;
  }
  ConfigReloader reloader(opts.demo ? "" : opts.config_path, engine, log);
  AdminServer admin(admin_config, engine, log, kVersion);
  admin.set_reloader(&reloader);
  if (admin_config.enabled) {
    if (absl::Status s = admin.Start(); !s.ok()) {
      log.Error(absl::StrCat("cannot start: ", s.message()));
      engine.Stop(std::chrono::milliseconds(0));
      return 1;
    }
  }
  if (!opts.pidfile.empty()) {
    if (absl::Status s = WritePidFile(opts.pidfile); !s.ok()) {
      log.Error(absl::StrCat("cannot start: ", s.message()));
      admin.Stop();
      engine.Stop(std::chrono::milliseconds(0));
      return 1;
    }
  }
  // Loading a large configuration builds a YAML tree many times the size of
  // what is kept; hand the freed heap back (a 2000-port file left ~9 KiB per
  // port of freed-but-resident heap).
  malloc_trim(0);
  log.Info(absl::StrCat("ready: ", port_count, " ports on ", engine.worker_count(), " workers"));
  sd_notifyf(0, "READY=1\nSTATUS=serving %zu ports", port_count);

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      // logrotate's postrotate: reopen every console log file.
      auto reopened = engine.ReopenLogs(std::chrono::milliseconds(2000));
      if (reopened.ok()) {
        log.Info(absl::StrCat("SIGUSR1: reopened ", *reopened, " console log files"));
      } else {
        log.Warn(absl::StrCat("SIGUSR1: reopening console logs: ", reopened.status().message()));
      }
      continue;
    }
    if (sig == SIGHUP) {
      (void)reloader.Reload("SIGHUP");  // logs what changed, or why nothing did
      continue;
    }
    log.Info(absl::StrCat("received ", sig == SIGINT ? "SIGINT" : "SIGTERM",
                          ": stopping (flushing for up to ", shutdown_timeout.count(), " ms)"));
    break;
  }
  sd_notify(0, "STOPPING=1");
  admin.Stop();  // no more requests into the engine while it stops
  engine.Stop(shutdown_timeout);
  if (!opts.pidfile.empty()) RemovePidFile(opts.pidfile);
  if (engine.failed()) {
    log.Error("stopped after a worker's event loop failed (see above): exit status 1");
    return 1;
  }
  log.Info("stopped");
  return 0;
}

}  // namespace
}  // namespace ttyhub

int main(int argc, char** argv) { return ttyhub::Run(argc, argv); }
