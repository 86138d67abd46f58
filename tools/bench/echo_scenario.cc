// Scenario `echo`: one port, one rw client sending 16-byte messages one at a
// time; the tool plays an echo device on the pty master. Reports round-trip
// percentiles (client send -> whole message back), verified both ways: the
// device checks what it receives and the client checks the echoes. The
// tool's single thread.
#include "tools/bench/echo_scenario.h"

#include "absl/strings/str_cat.h"
#include "tools/bench/client_connector.h"
#include "tools/bench/echo_client.h"
#include "tools/bench/echo_device.h"
#include "tools/bench/echo_session.h"
#include "tools/bench/pattern.h"
#include "tools/bench/port_fixture.h"

namespace ttyhub::bench {
namespace {

class EchoScenario : public Scenario {
 public:
  std::string name() const override { return "echo"; }
  std::string description() const override {
    return "one port, one client, small messages one at a time, echoed by the device";
  }

  std::vector<RunResult> Run(ScenarioContext& ctx) override {
    RunResult result;
    result.case_name = "echo";
    absl::StatusOr<std::unique_ptr<PortFixture>> fixture =
        PortFixture::Start(ctx, PortFixtureSpec{.ports = 1, .rw_clients = 1}, name());
    if (!fixture.ok()) {
      result.Fail(std::string(fixture.status().message()));
      return {result};
    }
    PortFixture& f = **fixture;
    absl::StatusOr<std::vector<UniqueFd>> clients =
        ConnectClients(f.loop(), {f.rw_tcp_port(0)}, Deadline::AfterSeconds(10));
    if (!clients.ok()) {
      result.Fail(std::string(clients.status().message()));
      f.Finish(&result);
      return {result};
    }
    {
      EchoDevice device(f.loop(), f.pty(0).master(), PatternSeed(0));
      EchoClient client(f.loop(), (*clients)[0].get(), PatternSeed(0), ctx.options.message_bytes);
      absl::Status s = device.Start();
      if (s.ok()) s = client.Start();
      if (!s.ok()) {
        result.Fail(std::string(s.message()));
      } else {
        RunEchoSession(f.loop(), client, ctx.options.duration_s, &f, "rtt", &result);
        ++result.streams;
        result.verify.Add(device.verifier().counts());
        if (!device.verifier().counts().Clean()) {
          result.Fail(
              absl::StrCat("device input did not verify: ", device.verifier().counts().Describe()));
        }
      }
    }
    f.Finish(&result);
    return {result};
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeEchoScenario() { return std::make_unique<EchoScenario>(); }

}  // namespace ttyhub::bench
