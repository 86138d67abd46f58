// Scenario `idle_ports`: N ports (4096 by default) with one connected, idle
// client each. In order:
//   1. the empty server: the same server started with one port and no
//      client; its VmRSS;
//   2. the server with N ports (its VmRSS before any client gives
//      rss_per_port_no_client_KiB); one client connects to each, and every
//      connection is confirmed accepted by the server (kernel TCP table);
//   3. an idle window: the server's CPU time over it, as % of one core;
//   4. memory per idle port: (VmRSS after the idle window - VmRSS of the
//      empty server) / N. No byte has flowed on any port yet;
//   5. "cold" echoes: one 16-byte echo on each of 20 random ports, right
//      after the idle window, against the median of 150 back-to-back
//      ("warm") echoes on one of them;
//   6. every port carries data: each client sends 16 bytes and every device
//      must receive them, verified; then the memory per port again, as
//      rss_per_port_after_message_KiB;
//   7. 3 s of quiet later, the memory per port once more, as
//      rss_per_port_settled_KiB: what the message costs for good, once the
//      server has given back what it frees when idle (ttyhub: a drained
//      input queue's pages, after 1 s of quiet);
//   8. every device sends 16 bytes to its client, verified, and the memory
//      per port, as rss_per_port_after_device_message_KiB: a port that has
//      carried console output (its ring's first page, what it keeps per
//      device read).
// N is reduced to what the open-file limit and kernel.pty.max allow, and the
// result says so. The tool's single thread.
#include "tools/bench/idle_ports_scenario.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "tools/bench/client_connector.h"
#include "tools/bench/echo_client.h"
#include "tools/bench/echo_device.h"
#include "tools/bench/latency_stats.h"
#include "tools/bench/machine_info.h"
#include "tools/bench/measurement_window.h"
#include "tools/bench/pattern.h"
#include "tools/bench/pattern_reader.h"
#include "tools/bench/port_fixture.h"

namespace ttyhub::bench {
namespace {

constexpr double kConnectSeconds = 120;
constexpr double kAttachSeconds = 60;
constexpr double kEchoSeconds = 10;
constexpr int kWarmEchoes = 200;
constexpr int kWarmEchoesSkipped = 50;
constexpr size_t kProbeBytes = 16;
// Step 7's quiet spell: ttyhub gives a drained input queue's pages back after
// 1 s of quiet, checked every 100 ms; 3 s leaves room for a loaded machine.
constexpr double kSettleSeconds = 3;
// Descriptors per port in the tool: pty master, pty slave, client socket.
constexpr uint64_t kToolFdsPerPort = 3;
constexpr uint64_t kSpareFds = 256;
// Ptys left for anyone else on the machine.
constexpr uint64_t kSparePtys = 16;

class IdlePortsScenario : public Scenario {
 public:
  std::string name() const override { return "idle_ports"; }
  std::string description() const override {
    return "N ports with one idle client each: memory per port, idle CPU, echo after idle";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = "idle_ports";
    const int ports = SizeToFit(ctx.options.idle_ports, &result);
    if (ports < 2) {
      result.Fail("not enough file descriptors or ptys for two ports");
      return {result};
    }
    result.Add("ports", ports, "");
    result.Add("ports_requested", ctx.options.idle_ports, "");

    // The empty server: one port, no client.
    std::optional<uint64_t> empty_rss;
    {
      absl::StatusOr<std::unique_ptr<PortFixture>> empty =
          PortFixture::Start(ctx, PortFixtureSpec{.ports = 1, .rw_clients = 1}, "idle-empty");
      if (!empty.ok()) {
        result.Fail(absl::StrCat("empty server: ", empty.status().message()));
        return {result};
      }
      if (const std::optional<ProcessMemory> mem = (*empty)->server().Memory()) {
        empty_rss = mem->rss_bytes;
      }
      RunResult ignored;
      (*empty)->Finish(&ignored);
    }

    absl::StatusOr<std::unique_ptr<PortFixture>> fixture =
        PortFixture::Start(ctx, PortFixtureSpec{.ports = ports, .rw_clients = 1}, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    PortFixture& f = **fixture;
    result.Add("startup_s", f.server().startup_seconds(), "s");
    // Ports alone, before any client: splits the cost per port and per client.
    if (const std::optional<ProcessMemory> mem = f.server().Memory(); mem && empty_rss) {
      result.Add("rss_per_port_no_client_KiB",
                 (static_cast<double>(mem->rss_bytes) - static_cast<double>(*empty_rss)) /
                     static_cast<double>(ports) / 1024,
                 "KiB");
    }
    std::vector<uint16_t> tcp;
    for (int i = 0; i < ports; ++i) tcp.push_back(f.rw_tcp_port(static_cast<size_t>(i)));
    const Clock::time_point connect_start = Clock::now();
    absl::StatusOr<std::vector<UniqueFd>> clients =
        ConnectClients(f.loop(), tcp, Deadline::AfterSeconds(kConnectSeconds));
    if (!clients.ok()) {
      result.Fail(std::string(clients.status().message()));
      f.Finish(&result);
      return {result};
    }
    result.Add("connect_s", SecondsBetween(connect_start, Clock::now()), "s");
    if (MeasureIdle(ctx, f, *clients, empty_rss, &result) &&
        ProveEveryPortCarriesData(f, *clients, Direction::kToDevice, &result) && empty_rss) {
      if (const std::optional<ProcessMemory> mem = f.server().Memory()) {
        result.Add("rss_per_port_after_message_KiB",
                   (static_cast<double>(mem->rss_bytes) - static_cast<double>(*empty_rss)) /
                       static_cast<double>(ports) / 1024,
                   "KiB");
      }
      const LoopExit exit =
          f.loop().RunUntil([] { return false; }, Deadline::AfterSeconds(kSettleSeconds));
      if (exit != LoopExit::kDeadline) {
        FailOnLoopExit(exit, "settling after the message", &f, &result);
      } else {
        if (const std::optional<ProcessMemory> mem = f.server().Memory()) {
          result.Add("rss_per_port_settled_KiB",
                     (static_cast<double>(mem->rss_bytes) - static_cast<double>(*empty_rss)) /
                         static_cast<double>(ports) / 1024,
                     "KiB");
        }
        if (ProveEveryPortCarriesData(f, *clients, Direction::kToClient, &result)) {
          if (const std::optional<ProcessMemory> mem = f.server().Memory()) {
            result.Add("rss_per_port_after_device_message_KiB",
                       (static_cast<double>(mem->rss_bytes) - static_cast<double>(*empty_rss)) /
                           static_cast<double>(ports) / 1024,
                       "KiB");
          }
        }
      }
    }
    f.Finish(&result);
    return {result};
  }

 private:
  static int SizeToFit(int requested, RunResult* result) {
    rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    const uint64_t by_fds =
        rl.rlim_cur > kSpareFds ? (rl.rlim_cur - kSpareFds) / kToolFdsPerPort : 0;
    const uint64_t ptys = PtysAvailable();
    // One more pty is needed for the empty server.
    const uint64_t by_ptys = ptys > kSparePtys + 1 ? ptys - kSparePtys - 1 : 0;
    const int fit =
        static_cast<int>(std::min<uint64_t>({static_cast<uint64_t>(requested), by_fds, by_ptys}));
    if (fit < requested) {
      result->notes.push_back(absl::StrCat(
          "sized down from ", requested, " to ", fit, " ports: open-file limit ", rl.rlim_cur,
          " allows ", by_fds, " (", kToolFdsPerPort, " fds per port in the tool), ",
          "kernel.pty.max allows ", by_ptys, " more ptys (", ptys, " free, ", kSparePtys,
          " kept spare); raise them (ulimit -Hn, sysctl kernel.pty.max) "
          "to run the full size"));
    }
    return fit;
  }

  enum class Direction { kToDevice, kToClient };

  // Every client sends 16 bytes to its device (kToDevice), or every device
  // to its client (kToClient); every one must arrive intact.
  static bool ProveEveryPortCarriesData(PortFixture& f, const std::vector<UniqueFd>& clients,
                                        Direction direction, RunResult* result) {
    const bool to_device = direction == Direction::kToDevice;
    const uint64_t seed = PatternSeed(to_device ? 2 : 4);
    uint8_t probe[kProbeBytes];
    FillPattern(seed, 0, probe, kProbeBytes);
    std::vector<std::unique_ptr<PatternReader>> devices;  // the receiving ends
    for (size_t i = 0; i < clients.size(); ++i) {
      const int from = to_device ? clients[i].get() : f.pty(i).master();
      const int to = to_device ? f.pty(i).master() : clients[i].get();
      if (write(from, probe, kProbeBytes) != static_cast<ssize_t>(kProbeBytes)) {
        result->Fail(absl::StrCat("port ", i, ": cannot send the ",
                                  to_device ? "client's" : "device's", " probe"));
        return false;
      }
      devices.push_back(std::make_unique<PatternReader>(f.loop(), to, /*is_socket=*/!to_device,
                                                        seed, StreamVerifier::Start::kAtZero));
      if (absl::Status s = devices.back()->Start(); !s.ok()) {
        result->Fail(std::string(s.message()));
        return false;
      }
    }
    size_t attached = 0;
    const LoopExit exit = f.loop().RunUntil(
        [&] {
          attached = 0;
          for (const auto& d : devices) attached += d->position() >= kProbeBytes;
          return attached == devices.size();
        },
        Deadline::AfterSeconds(kAttachSeconds));
    if (exit != LoopExit::kDone) {
      // Which ones, and what they got (the first few).
      std::string missing;
      int listed = 0;
      for (size_t i = 0; i < devices.size() && listed < 5; ++i) {
        if (devices[i]->position() >= kProbeBytes) continue;
        absl::StrAppend(&missing, listed++ ? ", " : "; port ", i, " got ", devices[i]->received(),
                        " B", devices[i]->closed() ? " (closed)" : "");
      }
      FailOnLoopExit(
          exit,
          absl::StrCat("sending a message through every port (", attached, " of ", devices.size(),
                       " reached their ", to_device ? "device" : "client", missing, ")"),
          &f, result);
      return false;
    }
    for (const auto& d : devices) {
      if (!d->verifier().counts().Clean() || d->received() != kProbeBytes) {
        result->Fail(
            absl::StrCat("a message arrived damaged at its ", to_device ? "device" : "client"));
        return false;
      }
    }
    result->streams += devices.size();
    result->verify.received_bytes += devices.size() * kProbeBytes;
    result->verify.verified_bytes += devices.size() * kProbeBytes;
    return true;
  }

  // One echo of one message on `port`; its round-trip time in ns, or -1.
  static int64_t EchoOnce(PortFixture& f, int client_fd, size_t port, int messages,
                          std::vector<int64_t>* rtts, RunResult* result) {
    EchoDevice device(f.loop(), f.pty(port).master(), PatternSeed(3));
    EchoClient client(f.loop(), client_fd, PatternSeed(3), 16);
    absl::Status s = device.Start();
    if (s.ok()) s = client.Start();
    if (!s.ok()) {
      result->Fail(std::string(s.message()));
      return -1;
    }
    client.SendMessages(static_cast<uint64_t>(messages));
    const LoopExit exit =
        f.loop().RunUntil([&] { return client.idle() || client.closed() || client.error() != 0; },
                          Deadline::AfterSeconds(kEchoSeconds));
    if (exit != LoopExit::kDone || !client.idle()) {
      FailOnLoopExit(exit, absl::StrCat("echo on port ", port), &f, result);
      if (result->ok) result->Fail(absl::StrCat("echo on port ", port, ": connection closed"));
      return -1;
    }
    if (!client.verifier().counts().Clean() || !device.verifier().counts().Clean()) {
      result->Fail(absl::StrCat("echo on port ", port, " did not verify"));
      return -1;
    }
    ++result->streams;
    result->verify.Add(client.verifier().counts());
    rtts->insert(rtts->end(), client.rtt_ns().begin(), client.rtt_ns().end());
    return client.rtt_ns().back();
  }

  // Steps 3 to 5; false if the run failed.
  static bool MeasureIdle(ScenarioContext& ctx, PortFixture& f,
                          const std::vector<UniqueFd>& clients, std::optional<uint64_t> empty_rss,
                          RunResult* result) {
    const double n = static_cast<double>(clients.size());
    MeasurementWindow window(f.server().pid());
    const LoopExit exit =
        f.loop().RunUntil([] { return false; }, Deadline::AfterSeconds(ctx.options.idle_s));
    window.Stop();
    if (exit != LoopExit::kDeadline) {
      FailOnLoopExit(exit, "idling", &f, result);
      return false;
    }
    if (const std::optional<double> cpu = window.server_cpu_seconds()) {
      result->Add("idle_cpu_pct", 100.0 * *cpu / window.seconds(), "% of a core");
    }
    result->Add("idle_window_s", window.seconds(), "s");
    result->Add("idle_other_cpu_pct",
                100.0 * window.other_cpu_seconds().value_or(0) / window.seconds(), "% of a core");
    result->Add("idle_machine_busy_pct", window.machine_busy_percent(), "% of all cores");
    if (const std::optional<ProcessMemory> mem = f.server().Memory()) {
      result->Add("rss_MiB", static_cast<double>(mem->rss_bytes) / (1 << 20), "MiB");
      if (empty_rss) {
        result->Add("rss_empty_MiB", static_cast<double>(*empty_rss) / (1 << 20), "MiB");
        result->Add(
            "rss_per_port_KiB",
            (static_cast<double>(mem->rss_bytes) - static_cast<double>(*empty_rss)) / n / 1024,
            "KiB");
      }
    }
    if (const std::optional<int> threads = ProcessThreadCount(f.server().pid())) {
      result->Add("server_threads", *threads, "");
    }

    // Cold: one echo on each of a few random ports, right after the idle window.
    std::mt19937 random(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(ctx.rep));
    std::vector<size_t> order(clients.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    order.resize(std::min<size_t>(order.size(), static_cast<size_t>(ctx.options.cold_echo_ports)));
    std::vector<int64_t> cold;
    for (size_t port : order) {
      if (EchoOnce(f, clients[port].get(), port, 1, &cold, result) < 0) return false;
    }
    // Warm: back-to-back echoes on the last of those ports.
    std::vector<int64_t> warm;
    if (EchoOnce(f, clients[order.back()].get(), order.back(), kWarmEchoes, &warm, result) < 0) {
      return false;
    }
    warm.erase(warm.begin(), warm.begin() + kWarmEchoesSkipped);
    std::vector<double> cold_us, warm_us;
    for (int64_t ns : cold) cold_us.push_back(static_cast<double>(ns) / 1000);
    for (int64_t ns : warm) warm_us.push_back(static_cast<double>(ns) / 1000);
    std::sort(cold_us.begin(), cold_us.end());
    const double cold_p50 = Median(cold_us);
    const double warm_p50 = Median(warm_us);
    result->Add("cold_echo_p50_us", cold_p50, "us");
    result->Add("cold_echo_max_us", cold_us.back(), "us");
    result->Add("cold_echo_first_us", static_cast<double>(cold.front()) / 1000, "us");
    result->Add("warm_echo_p50_us", warm_p50, "us");
    result->Add("cold_over_warm_p50", warm_p50 > 0 ? cold_p50 / warm_p50 : 0, "");
    result->Add("cold_echo_ports", static_cast<double>(cold.size()), "");
    return true;
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeIdlePortsScenario() { return std::make_unique<IdlePortsScenario>(); }

}  // namespace ttyhub::bench
