// See child_process.h.
#include "tools/bench/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ttyhub::bench {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const std::string& output_path,
    const std::vector<int>& cpus, const std::string& working_dir) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  UniqueFd out(open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!out.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("open ", output_path));
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (int cpu : cpus) CPU_SET(cpu, &mask);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the tool died already
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (!cpus.empty()) sched_setaffinity(0, sizeof(mask), &mask);
    if (!working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(126);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out.get(), 1);
    dup2(out.get(), 2);
    execvp(cargv[0], cargv.data());
    const char msg[] = "ttyhub-bench: exec failed\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(127);
  }
  // glibc 2.36's <sys/pidfd.h> lacks extern "C"; use the system call.
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    const int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return absl::ErrnoToStatus(err, "pidfd_open");
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, std::move(pidfd)));
}

ChildProcess::~ChildProcess() {
  if (!Exited()) {
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) exited_ = true;
  }
}

bool ChildProcess::Exited() {
  if (exited_) return true;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r != pid_) return false;
  exited_ = true;
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    signal_ = WTERMSIG(status);
    exit_code_ = 128 + signal_;
  }
  return true;
}

std::string ChildProcess::ExitDescription() const {
  if (!exited_) return "running";
  if (signal_ != 0)
    return absl::StrCat("killed by signal ", signal_, " (", strsignal(signal_), ")");
  return absl::StrCat("exited with status ", exit_code_);
}

bool ChildProcess::WaitExit(const Deadline& deadline, InterruptFlag* interrupt) {
  for (;;) {
    if (Exited()) return true;
    if (deadline.Expired()) return false;
    if (interrupt != nullptr && interrupt->Poll()) return false;
    pollfd fds[2] = {{pidfd_.get(), POLLIN, 0}, {interrupt ? interrupt->fd() : -1, POLLIN, 0}};
    poll(fds, 2, deadline.WaitMs(100));
  }
}

bool ChildProcess::Stop(int sig, const Deadline& deadline) {
  if (Exited()) return false;
  kill(pid_, sig);
  if (WaitExit(deadline, nullptr)) return true;
  kill(pid_, SIGKILL);
  WaitExit(Deadline::AfterSeconds(10), nullptr);
  return false;
}

std::string ReadFileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (max_bytes > 0 && s.size() > max_bytes) s.erase(0, s.size() - max_bytes);
  return s;
}

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& scratch_dir, const Deadline& deadline,
                                         const std::string& working_dir) {
  const std::string out_path = absl::StrCat(scratch_dir, "/command-", getpid(), ".out");
  unlink(out_path.c_str());
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn(argv, out_path, {}, working_dir);
  if (!child.ok()) return child.status();
  CommandResult result;
  if ((*child)->WaitExit(deadline, nullptr)) result.exit_code = (*child)->exit_code();
  child->reset();  // kills it if still running
  result.output = ReadFileTail(out_path);
  unlink(out_path.c_str());
  return result;
}

}  // namespace ttyhub::bench
