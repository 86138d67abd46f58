// See harness.h.
#include "tests/integration/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ttyhub::testing {

int Deadline::PollMs(int cap) const {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(end_ - Clock::now()).count();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<long long>(left, cap));
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/ttyhub-test-XXXXXX";
  const char* p = mkdtemp(tmpl);
  if (p == nullptr) std::abort();
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestPty::TestPty() {
  master_ = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) std::abort();
  char name[128];
  if (ptsname_r(master_, name, sizeof(name)) != 0) std::abort();
  slave_path_ = name;
}

TestPty::~TestPty() { Close(); }

void TestPty::Close() {
  if (master_ >= 0) close(master_);
  master_ = -1;
}

void TestPty::LinkAs(const std::string& link) const {
  const std::string tmp = link + ".tmp";
  unlink(tmp.c_str());
  if (symlink(slave_path_.c_str(), tmp.c_str()) != 0 || rename(tmp.c_str(), link.c_str()) != 0) {
    ADD_FAILURE() << "cannot link " << link << " -> " << slave_path_ << ": " << strerror(errno);
  }
}

bool TestPty::WriteAll(absl::string_view data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(master_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (deadline.Expired()) return false;
    pollfd pfd{master_, POLLOUT, 0};
    poll(&pfd, 1, deadline.PollMs());
  }
  return true;
}

size_t TestPty::ReadSome(std::string* out, size_t max, Deadline deadline) {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(master_, buf, std::min(sizeof(buf), max));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return 0;
    if (deadline.Expired()) return 0;
    pollfd pfd{master_, POLLIN, 0};
    poll(&pfd, 1, deadline.PollMs());
  }
}

bool TestPty::ReadExactly(std::string* out, size_t n, Deadline deadline) {
  const size_t target = out->size() + n;
  while (out->size() < target) {
    if (ReadSome(out, target - out->size(), deadline) == 0 && deadline.Expired()) return false;
  }
  return true;
}

bool TestPty::ReadUntil(std::string* out, absl::string_view suffix, Deadline deadline) {
  while (out->size() < suffix.size() || out->compare(out->size() - suffix.size(), suffix.size(),
                                                     suffix.data(), suffix.size()) != 0) {
    if (ReadSome(out, 65536, deadline) == 0 && deadline.Expired()) return false;
  }
  return true;
}

std::unique_ptr<TcpClient> TcpClient::Connect(uint16_t port, Deadline deadline, int rcvbuf) {
  while (!deadline.Expired()) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
      return std::unique_ptr<TcpClient>(new TcpClient(fd));
    }
    if (errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      if (poll(&pfd, 1, deadline.PollMs(5000)) == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) return std::unique_ptr<TcpClient>(new TcpClient(fd));
      }
    }
    close(fd);
    pollfd none{-1, 0, 0};
    poll(&none, 0, 20);  // back off before retrying a refused connect
  }
  return nullptr;
}

TcpClient::~TcpClient() { close(fd_); }

bool TcpClient::SendAll(absl::string_view data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (deadline.Expired()) return false;
    pollfd pfd{fd_, POLLOUT, 0};
    poll(&pfd, 1, deadline.PollMs());
  }
  return true;
}

void TcpClient::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

ssize_t TcpClient::ReadStep(std::string* out, size_t max, Deadline deadline) {
  char buf[65536];
  const ssize_t n = recv(fd_, buf, std::min(sizeof(buf), max), 0);
  if (n > 0) {
    out->append(buf, static_cast<size_t>(n));
    return n;
  }
  if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
    closed_ = true;
    return 0;
  }
  pollfd pfd{fd_, POLLIN, 0};
  poll(&pfd, 1, deadline.PollMs());
  return -1;
}

bool TcpClient::ReadExactly(std::string* out, size_t n, Deadline deadline) {
  const size_t target = out->size() + n;
  while (out->size() < target && !closed_) {
    if (ReadStep(out, target - out->size(), deadline) < 0 && deadline.Expired()) return false;
  }
  return out->size() >= target;
}

bool TcpClient::ReadUntil(std::string* out, absl::string_view needle, Deadline deadline) {
  while (out->find(needle.data(), 0, needle.size()) == std::string::npos) {
    if (closed_) return false;
    if (ReadStep(out, 65536, deadline) < 0 && deadline.Expired()) return false;
  }
  return true;
}

bool TcpClient::ReadUntilClosed(std::string* out, Deadline deadline) {
  while (!closed_) {
    if (ReadStep(out, 65536, deadline) < 0 && deadline.Expired()) return false;
  }
  return true;
}

std::vector<uint16_t> FreeTcpPorts(size_t count) {
  // 10000..30000 stays below the default ephemeral range (32768..60999).
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^
                   static_cast<unsigned>(Clock::now().time_since_epoch().count()));
  constexpr uint16_t kLow = 10000, kHigh = 30000;
  std::vector<uint16_t> ports;
  const uint16_t start = static_cast<uint16_t>(kLow + rng() % (kHigh - kLow));
  uint16_t candidate = start;
  for (unsigned tried = 0; ports.size() < count && tried < kHigh - kLow; ++tried) {
    const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int zero = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(candidate);
    a.sin6_addr = in6addr_any;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) ports.push_back(candidate);
    close(fd);
    candidate = candidate + 1 == kHigh ? kLow : candidate + 1;  // wrap around the range
  }
  if (ports.size() < count) {
    // Callers index the result: never hand back fewer than asked.
    ADD_FAILURE() << "not enough free TCP ports in " << kLow << ".." << kHigh;
    std::abort();
  }
  return ports;
}

Daemon::~Daemon() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string DaemonBinary() {
  const char* other = getenv("TTYHUB_TEST_BINARY");
  return other != nullptr && *other != '\0' ? std::string(other) : std::string(TTYHUB_BINARY);
}

namespace {

// `file_limit` > 0 caps RLIMIT_NOFILE (soft and hard) in the child.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path, rlim_t file_limit) {
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return -1;
  std::vector<char*> argv;
  std::string binary = DaemonBinary();
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // A test killed from outside (a timeout, a signal) must not leave its
    // daemon behind holding ptys and ports that later tests and benchmarks
    // get: it dies with the thread that started it (every test starts its
    // daemons from its main thread).
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    dup2(out, 1);
    dup2(out, 2);
    // The harness may have blocked signals; the daemon manages its own.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (file_limit > 0) {
      const rlimit rl{file_limit, file_limit};
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(126);
    }
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out);
  return pid;
}

// Waits for `pid` until the deadline; returns status as Daemon::Stop does.
int WaitExit(pid_t pid, Deadline deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (deadline.Expired()) return -1;
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);  // no pidfd wait in this glibc: check at 100 Hz
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool Daemon::Start(const std::string& yaml, std::vector<std::string> extra_args,
                   Deadline deadline) {
  const std::string config = dir_.File("ttyhub.yaml");
  // Device locks go to the test's own directory, never the machine's
  // /run/lock, unless the test sets lock_dir itself (native YAML only).
  const bool native = yaml.rfind("ports:", 0) == 0 || yaml.find("\nports:") != std::string::npos;
  if (native && yaml.find("lock_dir:") == std::string::npos) {
    mkdir(dir_.File("locks").c_str(), 0755);
    std::ofstream(config) << "lock_dir: " << dir_.File("locks") << "\n" << yaml;
  } else {
    std::ofstream(config) << yaml;
  }
  std::vector<std::string> args = {"-c", config};
  for (auto& a : extra_args) args.push_back(std::move(a));
  pid_ = Spawn(args, dir_.File("ttyhub.log"), file_limit_);
  if (pid_ < 0) return false;
  while (!deadline.Expired()) {
    if (Log().find("] ready: ") != std::string::npos ||
        Log().find(" ready: ") != std::string::npos) {
      return true;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "ttyhub exited during startup:\n" << Log();
      return false;
    }
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);
  }
  ADD_FAILURE() << "ttyhub not ready before the deadline:\n" << Log();
  return false;
}

int Daemon::Stop(int sig, Deadline deadline) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  const int status = WaitExit(pid_, deadline);
  if (status >= 0) pid_ = -1;
  return status;
}

int Daemon::RunToCompletion(const std::vector<std::string>& args, std::string* out,
                            Deadline deadline) {
  return RunProgram(DaemonBinary(), args, "", out, deadline);
}

std::string Daemon::Log() const { return ReadFile(dir_.File("ttyhub.log")); }

bool Daemon::WaitForLog(absl::string_view needle, Deadline deadline, size_t from) const {
  for (;;) {
    const std::string log = Log();
    if (log.size() > from && log.find(needle.data(), from, needle.size()) != std::string::npos) {
      return true;
    }
    if (deadline.Expired()) return false;
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);
  }
}

std::vector<std::string> Daemon::ThreadNames() const {
  std::vector<std::string> names;
  const std::string dir = absl::StrCat("/proc/", pid_, "/task");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string comm = ReadFile(absl::StrCat(dir, "/", e->d_name, "/comm"));
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    names.push_back(comm);
  }
  closedir(d);
  return names;
}

bool StreamToReaders(TestPty& pty, const std::vector<TcpClient*>& readers, const std::string& data,
                     std::vector<std::string>* got, Deadline deadline, size_t max_read) {
  got->assign(readers.size(), std::string());
  size_t written = 0;
  auto all_done = [&] {
    for (const std::string& g : *got) {
      if (g.size() < data.size()) return false;
    }
    return true;
  };
  while (!all_done() && !deadline.Expired()) {
    std::vector<pollfd> fds;
    fds.push_back({pty.master(), static_cast<short>(written < data.size() ? POLLOUT : 0), 0});
    for (TcpClient* r : readers) fds.push_back({r->fd(), POLLIN, 0});
    poll(fds.data(), fds.size(), 100);
    if (fds[0].revents & POLLOUT) {
      const ssize_t n = write(pty.master(), data.data() + written,
                              std::min<size_t>(data.size() - written, 65536));
      if (n > 0) written += static_cast<size_t>(n);
    }
    for (size_t i = 0; i < readers.size(); ++i) {
      if ((fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      std::string& g = (*got)[i];
      readers[i]->ReadExactly(&g, std::min(data.size() - g.size(), max_read),
                              Deadline(std::chrono::milliseconds(0)));
      if (readers[i]->closed() && g.size() < data.size()) return false;
    }
  }
  return all_done();
}

std::string TelnetData(const std::string& wire) {
  constexpr char kIac = '\xff', kSb = '\xfa', kSe = '\xf0', kWill = '\xfb', kDont = '\xfe';
  std::string out;
  for (size_t i = 0; i < wire.size(); ++i) {
    const char c = wire[i];
    if (c == '\r' && i + 1 < wire.size() && wire[i + 1] == '\0') {
      out += '\r';
      ++i;
    } else if (c != kIac) {
      out += c;
    } else if (i + 1 >= wire.size()) {
      break;
    } else if (wire[i + 1] == kIac) {
      out += kIac;
      ++i;
    } else if (wire[i + 1] == kSb) {
      const size_t se = wire.find(std::string{kIac, kSe}, i + 2);
      i = se == std::string::npos ? wire.size() : se + 1;
    } else if (wire[i + 1] >= kWill && wire[i + 1] <= kDont) {
      i += 2;
    } else {
      ++i;
    }
  }
  return out;
}

std::string Pattern(uint64_t offset, size_t n, uint8_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = offset + i;
    const uint32_t word = static_cast<uint32_t>(k / 4);
    s[i] = static_cast<char>(static_cast<uint8_t>(word >> (8 * (k % 4))) ^ seed);
  }
  return s;
}

bool MatchesWithOneGap(const std::string& got, uint64_t total, uint8_t seed, uint64_t* skipped) {
  if (got.size() > total) return false;
  const std::string expect_prefix = Pattern(0, got.size(), seed);
  size_t a = 0;
  while (a < got.size() && got[a] == expect_prefix[a]) ++a;
  // The rest must be the stream's tail.
  const uint64_t tail = got.size() - a;
  const uint64_t b = total - tail;
  if (got.compare(a, tail, Pattern(b, tail, seed)) != 0) return false;
  *skipped = b - a;
  return true;
}

int RunProgram(const std::string& program, const std::vector<std::string>& args,
               const std::string& input, std::string* out, Deadline deadline) {
  TempDir tmp;
  const std::string in_path = tmp.File("in");
  const std::string out_path = tmp.File("out");
  std::ofstream(in_path) << input;
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open(in_path.c_str(), O_RDONLY);
    const int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(o, 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string prog = program;
    argv.push_back(prog.data());
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(prog.c_str(), argv.data());
    _exit(127);
  }
  const int status = WaitExit(pid, deadline);
  if (status < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  *out = ReadFile(out_path);
  return status;
}

void RaiseFileLimit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace ttyhub::testing
