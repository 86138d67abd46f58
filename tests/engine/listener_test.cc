// Listener against a fake host: a real io_uring loop (LoopDriver, on the test
// thread) and real loopback TCP sockets, with the port replaced by a
// ListenerHost fake that records every socket it is handed. The test at the
// open-file limit runs in a forked child, so lowering RLIMIT_NOFILE there
// never touches the test process.
#include "engine/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/listener_host.h"
#include "engine/logger.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/loop_driver.h"
#include "tests/engine/loopback.h"

namespace ttyhub {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Records, in order, every socket a listener hands over, and owns them.
class FakeListenerHost final : public ListenerHost {
 public:
  ~FakeListenerHost() {
    for (const Accepted& a : accepted) close(a.fd);
  }
  const std::string& port_name() const override { return name_; }
  void OnAccepted(Listener& listener, int fd) override { accepted.push_back({&listener, fd}); }

  struct Accepted {
    Listener* listener;
    int fd;
  };
  std::vector<Accepted> accepted;

 private:
  std::string name_ = "p";
};

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Connects the blocking socket `fd` to 127.0.0.1:`port`; 0 or an errno. On
// loopback the handshake completes in the listen backlog, before any accept,
// so this never waits on the listener's loop.
int ConnectSocket(int fd, uint16_t port) {
  const sockaddr_in a = Loopback(port);
  return connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0 ? 0 : errno;
}

// The local (`peer` false) or remote TCP port of a connected socket.
uint16_t SocketPort(int fd, bool peer) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  const int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                      : getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return rc == 0 ? ntohs(a.sin_port) : 0;
}

ListenerConfig LoopbackConfig(uint16_t port, const std::string& where) {
  ListenerConfig config;
  config.where = where;
  config.host = "127.0.0.1";
  config.port = port;
  return config;
}

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(driver_.Init(ctx_, log_, nullptr));
    port_ = FreeLoopbackPort();
  }
  void TearDown() override {
    // The loop goes first: nothing of a listener is in flight after that.
    driver_.Shutdown();
    for (int fd : clients_) close(fd);
  }

  // A connected client socket (closed by TearDown), or -1 with a failure.
  int Connect() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd, 0);
    if (fd < 0) return -1;
    clients_.push_back(fd);
    const int err = ConnectSocket(fd, port_);
    EXPECT_EQ(err, 0) << std::strerror(err);
    return err == 0 ? fd : -1;
  }

  LoopDriver driver_;
  WorkerContext ctx_;
  Logger log_{LogLevel::kError};
  FakeListenerHost host_;
  uint16_t port_ = 0;
  std::vector<int> clients_;
};

TEST_F(ListenerTest, AcceptsEachConnectionOnceInOrder) {
  const ListenerConfig config = LoopbackConfig(port_, "t.yaml:4:7: ports[0].listen[0]");
  Listener listener(host_, std::make_shared<const ListenerConfig>(config), ctx_);
  ASSERT_TRUE(listener.Bind().ok());
  EXPECT_EQ(listener.address(), absl::StrCat("127.0.0.1:", port_));
  listener.StartAccepting();

  // All connected before the loop runs: the backlog holds them in order,
  // and one multishot accept hands them over one by one.
  constexpr int kClients = 5;
  std::vector<uint16_t> client_ports;
  for (int i = 0; i < kClients; ++i) {
    const int fd = Connect();
    ASSERT_GE(fd, 0);
    client_ports.push_back(SocketPort(fd, /*peer=*/false));
  }
  ASSERT_TRUE(
      driver_.RunUntil([&] { return host_.accepted.size() >= kClients; }, milliseconds(2000)))
      << host_.accepted.size() << " of " << kClients << " accepted";
  // One more client after the first batch: the accept is still armed.
  const int late = Connect();
  ASSERT_GE(late, 0);
  client_ports.push_back(SocketPort(late, /*peer=*/false));
  ASSERT_TRUE(
      driver_.RunUntil([&] { return host_.accepted.size() > kClients; }, milliseconds(2000)));
  driver_.RunFor(milliseconds(50));  // a duplicate hand-over would show up here

  ASSERT_EQ(host_.accepted.size(), client_ports.size());
  for (size_t i = 0; i < client_ports.size(); ++i) {
    const FakeListenerHost::Accepted& a = host_.accepted[i];
    EXPECT_EQ(a.listener, &listener);
    EXPECT_EQ(SocketPort(a.fd, /*peer=*/true), client_ports[i]) << "connection " << i;
    EXPECT_TRUE(fcntl(a.fd, F_GETFL) & O_NONBLOCK) << "connection " << i;
    EXPECT_TRUE(fcntl(a.fd, F_GETFD) & FD_CLOEXEC) << "connection " << i;
  }
  listener.Stop();
  EXPECT_TRUE(driver_.RunUntil([&] { return listener.Idle(); }, milliseconds(2000)));
}

TEST_F(ListenerTest, BadAddressNamesTheConfigLocation) {
  for (const std::string host : {"127.0.0.256", "1.2.3", "::g1", "console.example"}) {
    ListenerConfig config = LoopbackConfig(port_, "t.yaml:9:3: ports[2].listen[1]");
    config.host = host;
    Listener listener(host_, std::make_shared<const ListenerConfig>(config), ctx_);
    const absl::Status status = listener.Bind();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << host;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr(absl::StrCat("t.yaml:9:3: ports[2].listen[1]: bad address ", host)));
  }
}

TEST_F(ListenerTest, SecondListenerOnTheSamePortFailsClearly) {
  const ListenerConfig first_config = LoopbackConfig(port_, "t.yaml:4:7: ports[0].listen[0]");
  const ListenerConfig second_config = LoopbackConfig(port_, "t.yaml:12:7: ports[1].listen[0]");
  Listener first(host_, std::make_shared<const ListenerConfig>(first_config), ctx_);
  ASSERT_TRUE(first.Bind().ok());
  Listener second(host_, std::make_shared<const ListenerConfig>(second_config), ctx_);
  const absl::Status status = second.Bind();
  ASSERT_FALSE(status.ok());
  const std::string message(status.message());
  EXPECT_THAT(message, HasSubstr(absl::StrCat("t.yaml:12:7: ports[1].listen[0]: cannot listen on ",
                                              "127.0.0.1:", port_, " for port 'p'")));
  EXPECT_THAT(message, HasSubstr(std::strerror(EADDRINUSE)));

  // The failed one disturbed nothing: the first still accepts.
  first.StartAccepting();
  ASSERT_GE(Connect(), 0);
  ASSERT_TRUE(driver_.RunUntil([&] { return host_.accepted.size() == 1; }, milliseconds(2000)));
  EXPECT_EQ(host_.accepted[0].listener, &first);
  first.Stop();
  EXPECT_TRUE(driver_.RunUntil([&] { return first.Idle(); }, milliseconds(2000)));
}

TEST_F(ListenerTest, StopCancelsTheAcceptAndClosesTheSocketOnceIdle) {
  const ListenerConfig config = LoopbackConfig(port_, "t.yaml:4:7: ports[0].listen[0]");
  Listener listener(host_, std::make_shared<const ListenerConfig>(config), ctx_);
  ASSERT_TRUE(listener.Bind().ok());
  listener.StartAccepting();
  ASSERT_GE(Connect(), 0);
  ASSERT_TRUE(driver_.RunUntil([&] { return host_.accepted.size() == 1; }, milliseconds(2000)));
  ASSERT_FALSE(listener.Idle());  // the multishot accept is still armed

  listener.Stop();
  ASSERT_TRUE(driver_.RunUntil([&] { return listener.Idle(); }, milliseconds(2000)))
      << "the accept was never cancelled";
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  clients_.push_back(fd);
  EXPECT_EQ(ConnectSocket(fd, port_), ECONNREFUSED) << "the listening socket is still open";
  driver_.RunFor(milliseconds(50));
  EXPECT_EQ(host_.accepted.size(), 1u);
}

// What the child of AcceptErrorsPauseUntilTheNextTick found wrong; "" if all
// went well. Runs with RLIMIT_NOFILE lowered so that no new descriptor fits:
// every accept fails with EMFILE while a connection waits in the backlog.
std::string AcceptAtTheOpenFileLimit() {
  WorkerContext ctx;
  Logger log(LogLevel::kWarn);
  std::vector<std::string> warnings;
  log.SetObserver([&](LogLevel, absl::string_view line) { warnings.emplace_back(line); });
  LoopDriver driver;
  if (!driver.Init(ctx, log, nullptr)) return "no io_uring";
  FakeListenerHost host;
  const uint16_t port = FreeLoopbackPort();
  const ListenerConfig config = LoopbackConfig(port, "t.yaml:4:7: ports[0].listen[0]");
  Listener listener(host, std::make_shared<const ListenerConfig>(config), ctx);
  if (absl::Status s = listener.Bind(); !s.ok()) return s.ToString();
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) return "socket failed";

  // The lowest free descriptor becomes the limit: nothing new fits.
  rlimit saved{};
  if (getrlimit(RLIMIT_NOFILE, &saved) != 0) return "getrlimit failed";
  const int lowest_free = dup(client);
  if (lowest_free < 0) return "dup failed";
  close(lowest_free);
  rlimit lowered = saved;
  lowered.rlim_cur = static_cast<rlim_t>(lowest_free);
  if (setrlimit(RLIMIT_NOFILE, &lowered) != 0) return "setrlimit (lower) failed";
  if (dup(client) >= 0 || errno != EMFILE) return "the lowered limit does not bite";
  if (int err = ConnectSocket(client, port); err != 0) return std::strerror(err);

  int ticks = 0, completions = 0, emfile = 0;
  driver.tick = [&] {
    ++ticks;
    listener.OnTick(ctx.now);
  };
  driver.after_dispatch = [&](IoRequest& req, int32_t res) {
    if (req.handler != &listener) return;
    ++completions;
    if (res == -EMFILE) ++emfile;
  };
  listener.StartAccepting();
  if (!driver.RunUntil([&] { return emfile > 0; }, milliseconds(2000))) {
    return "the accept never failed with EMFILE";
  }
  // Paused: one retry per tick at most, not a spin.
  const int ticks_before = ticks, completions_before = completions;
  driver.RunFor(milliseconds(550));
  const int paused_ticks = ticks - ticks_before;
  const int paused_completions = completions - completions_before;
  std::string failure;
  if (paused_ticks < 3) {
    failure += absl::StrCat("only ", paused_ticks, " ticks in 550 ms; ");
  }
  if (paused_completions > paused_ticks + 2) {
    failure += absl::StrCat(paused_completions, " accept completions in ", paused_ticks,
                            " ticks at the open-file limit: accepting spins; ");
  }
  if (!host.accepted.empty()) failure += "a socket was handed over at the limit; ";
  const std::string warning =
      absl::StrCat("port p: listener 127.0.0.1:", port, ": accept failed: ", std::strerror(EMFILE));
  if (warnings.empty() || warnings[0].find(warning) == std::string::npos) {
    failure += absl::StrCat("no warning '", warning, "'; ");
  }

  // Room again: the next tick re-arms and the waiting connection is served.
  if (setrlimit(RLIMIT_NOFILE, &saved) != 0) return failure + "setrlimit (restore) failed";
  if (!driver.RunUntil([&] { return !host.accepted.empty(); }, milliseconds(2000))) {
    failure += "the waiting connection was not accepted after the limit was raised; ";
  } else if (SocketPort(host.accepted[0].fd, /*peer=*/true) != SocketPort(client, false)) {
    failure += "the accepted socket is not the waiting connection; ";
  }
  listener.Stop();
  if (!driver.RunUntil([&] { return listener.Idle(); }, milliseconds(2000))) {
    failure += "the accept was never cancelled; ";
  }
  driver.Shutdown();
  close(client);
  return failure;
}

void ChildAtTheOpenFileLimit() {
  alarm(20);  // a hang fails the test (killed by SIGALRM) instead of stalling it
  const std::string failure = AcceptAtTheOpenFileLimit();
  if (!failure.empty()) {
    std::fprintf(stderr, "%s\n", failure.c_str());
    _exit(1);
  }
  _exit(0);
}

// EMFILE from accept must not spin the worker: the listener pauses until the
// next tick, tries once more, and serves the waiting connection once the
// limit allows.
TEST(ListenerLimitTest, AcceptErrorsPauseUntilTheNextTick) {
  EXPECT_EXIT(ChildAtTheOpenFileLimit(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace ttyhub
