// What a reload changes, port by port.
#include "config/config_diff.h"

#include "config/config_loader.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

Config Load(const std::string& yaml) {
  auto c = LoadConfigText(yaml, "t.yaml");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : Config{};
}

const PortChange* Find(const ConfigDiff& d, const std::string& name) {
  for (const PortChange& p : d.ports) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(ConfigDiffTest, ClassifiesEachPort) {
  const Config old_config = Load(
      "ports:\n"
      "  - {name: same, device: sim:echo, listen: [{port: 7001}]}\n"
      "  - {name: serial, device: sim:echo, serial: 9600n81, listen: [{port: 7002}]}\n"
      "  - {name: listeners, device: sim:echo, listen: [{port: 7003}, {port: 7004}, {port: "
      "7005}]}\n"
      "  - {name: device, device: sim:echo, listen: [{port: 7006}]}\n"
      "  - {name: gone, device: sim:echo, listen: [{port: 7007}]}\n");
  const Config new_config = Load(
      "\n\n# positions moved: not a change\n"
      "ports:\n"
      "  - {name: same, device: sim:echo, listen: [{port: 7001}]}\n"
      "  - {name: serial, device: sim:echo, serial: 115200e71, listen: [{port: 7002}]}\n"
      "  - {name: listeners, device: sim:echo, listen: [{port: 7003}, {port: 7004, max_clients: "
      "9}, {port: 7008}]}\n"
      "  - {name: device, device: sim:console, listen: [{port: 7006}]}\n"
      "  - {name: added, device: sim:echo, listen: [{port: 7007}]}\n");
  const ConfigDiff d = DiffConfigs(old_config, new_config);
  EXPECT_FALSE(d.empty());
  ASSERT_NE(Find(d, "same"), nullptr);
  EXPECT_EQ(Find(d, "same")->kind, PortChange::Kind::kUnchanged);
  const PortChange* serial = Find(d, "serial");
  ASSERT_NE(serial, nullptr);
  EXPECT_EQ(serial->kind, PortChange::Kind::kUpdated);
  EXPECT_TRUE(serial->serial_changed);
  EXPECT_TRUE(serial->listeners_to_stop.empty());
  const PortChange* listeners = Find(d, "listeners");
  ASSERT_NE(listeners, nullptr);
  EXPECT_EQ(listeners->kind, PortChange::Kind::kUpdated);
  EXPECT_FALSE(listeners->serial_changed);
  EXPECT_EQ(listeners->listeners_to_stop, (std::vector<std::string>{"*:7004", "*:7005"}));
  ASSERT_EQ(listeners->listeners_to_start.size(), 2u);
  EXPECT_EQ(listeners->listeners_to_start[0].port, 7004);
  EXPECT_EQ(listeners->listeners_to_start[0].max_clients, 9u);
  EXPECT_EQ(listeners->listeners_to_start[1].port, 7008);
  EXPECT_EQ(Find(d, "device")->kind, PortChange::Kind::kRestarted);
  EXPECT_EQ(Find(d, "device")->details[0], "device sim:echo -> sim:console");
  EXPECT_EQ(Find(d, "added")->kind, PortChange::Kind::kAdded);
  EXPECT_EQ(Find(d, "gone")->kind, PortChange::Kind::kRemoved);
  EXPECT_TRUE(d.needs_restart.empty());
}

TEST(ConfigDiffTest, InheritedChangesCountAndTopLevelKeysAreReported) {
  const Config a = Load(
      "defaults: {max_clients: 4}\nports:\n  - {name: p, device: sim:echo, "
      "listen: [{port: 7001}]}\n");
  const Config b = Load(
      "workers: 3\nshutdown_timeout: 9s\ndefaults: {max_clients: 5}\nports:\n"
      "  - {name: p, device: sim:echo, listen: [{port: 7001}]}\n");
  const ConfigDiff d = DiffConfigs(a, b);
  ASSERT_EQ(d.ports.size(), 1u);
  EXPECT_EQ(d.ports[0].kind, PortChange::Kind::kUpdated);
  EXPECT_EQ(d.ports[0].listeners_to_stop, (std::vector<std::string>{"*:7001"}));
  EXPECT_EQ(d.needs_restart, (std::vector<std::string>{"workers", "shutdown_timeout"}));
}

// Issue 14: `latency:` and `busy_poll:` only change how a worker waits, so
// a reload applies them live: the port keeps its clients.
TEST(ConfigDiffTest, LatencyAndBusyPollAreAppliedLive) {
  const Config a = Load("ports:\n  - {name: p, device: sim:echo, listen: [{port: 7001}]}\n");
  const Config b = Load(
      "busy_poll: {window: 50us, budget: 20%}\nports:\n"
      "  - {name: p, device: sim:echo, latency: low, listen: [{port: 7001}]}\n");
  const ConfigDiff d = DiffConfigs(a, b);
  ASSERT_EQ(d.ports.size(), 1u);
  EXPECT_EQ(d.ports[0].kind, PortChange::Kind::kUpdated);
  EXPECT_TRUE(d.ports[0].latency_changed);
  EXPECT_FALSE(d.ports[0].serial_changed);
  EXPECT_TRUE(d.ports[0].listeners_to_start.empty());
  EXPECT_EQ(d.ports[0].details, (std::vector<std::string>{"latency normal -> low"}));
  EXPECT_TRUE(d.busy_poll_changed);
  EXPECT_TRUE(d.needs_restart.empty());
  EXPECT_FALSE(d.empty());
  EXPECT_TRUE(DiffConfigs(b, b).empty());
}

// Reordered listeners rebind nothing, but the report says what changed
// (it used to read "port p: " with nothing after it).
TEST(ConfigDiffTest, ReorderedListenersAreNamedInTheReport) {
  const ConfigDiff d = DiffConfigs(
      Load("ports:\n  - {name: p, device: sim:echo, listen: [{port: 7001}, {port: 7002}]}\n"),
      Load("ports:\n  - {name: p, device: sim:echo, listen: [{port: 7002}, {port: 7001}]}\n"));
  const PortChange* p = Find(d, "p");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, PortChange::Kind::kUpdated);
  EXPECT_TRUE(p->listeners_to_stop.empty());
  EXPECT_TRUE(p->listeners_to_start.empty());
  EXPECT_EQ(p->details, std::vector<std::string>{"listener order changed"});
}

TEST(ConfigDiffTest, AddingAReadWriteListenerRestartsThePort) {
  const Config a = Load(
      "ports:\n  - {name: p, device: sim:echo, listen: [{port: 7001, access: "
      "ro}]}\n");
  const Config b = Load(
      "ports:\n  - {name: p, device: sim:echo, listen: [{port: 7001, access: "
      "ro}, {port: 7002}]}\n");
  EXPECT_EQ(DiffConfigs(a, b).ports[0].kind, PortChange::Kind::kRestarted);
  EXPECT_TRUE(DiffConfigs(a, a).empty());
}

}  // namespace
}  // namespace ttyhub
