// The scenario registry and ScenarioContext helpers. See scenario.h.
#include "tools/bench/scenario.h"

#include "absl/strings/str_cat.h"
#include "tools/bench/chain_scenario.h"
#include "tools/bench/connect_storm_scenario.h"
#include "tools/bench/echo_scenario.h"
#include "tools/bench/fanout_scenario.h"
#include "tools/bench/idle_ports_scenario.h"
#include "tools/bench/limits_scenario.h"
#include "tools/bench/many_ports_scenario.h"
#include "tools/bench/single_stream_scenario.h"
#include "tools/bench/slow_viewer_scenario.h"
#include "tools/bench/soak_scenario.h"

namespace ttyhub::bench {

std::string ScenarioContext::Label(absl::string_view scenario) const {
  return absl::StrCat(server != nullptr ? ServerName(server->kind) : "none", "-", scenario, "-",
                      rep);
}

std::unique_ptr<Scenario> MakeScenario(absl::string_view name) {
  if (name == "limits") return MakeLimitsScenario();
  if (name == "dev2net") return MakeDev2NetScenario();
  if (name == "net2dev") return MakeNet2DevScenario();
  if (name == "echo") return MakeEchoScenario();
  if (name == "many_ports") return MakeManyPortsScenario();
  if (name == "fanout") return MakeFanoutScenario();
  if (name == "slow_viewer") return MakeSlowViewerScenario();
  if (name == "idle_ports") return MakeIdlePortsScenario();
  if (name == "connect_storm") return MakeConnectStormScenario();
  if (name == "chain") return MakeChainScenario();
  if (name == "soak") return MakeSoakScenario();
  return nullptr;
}

}  // namespace ttyhub::bench
