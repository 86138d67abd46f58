#include "engine/json_render.h"

#include "gtest/gtest.h"

namespace ttyhub {
namespace {

TEST(JsonRenderTest, PortWithClients) {
  PortSnapshot p;
  p.name = "sw1";
  p.device = "/dev/ttyUSB0";
  p.device_state = DeviceState::kOpen;
  p.serial = *ParseSerialSettings("115200n81");
  p.counters.skipped_bytes = 7;
  p.listeners.push_back({"[::]:7001", Protocol::kRaw, Access::kReadWrite, 1, 64});
  ClientSnapshot c;
  c.id = 3;
  c.peer = "10.0.0.9:5555";
  c.access = Access::kReadOnly;
  c.bytes_skipped = 7;
  c.lag_bytes = 100;
  p.clients.push_back(c);
  const auto j = PortToJson(p, true);
  EXPECT_EQ(j["name"], "sw1");
  EXPECT_EQ(j["serial"], "115200N81");
  EXPECT_EQ(j["state"], "open");
  EXPECT_TRUE(j["uart"].is_null()) << "no counters must be null, not zeros";
  EXPECT_EQ(j["counters"]["skipped_bytes"], 7u);
  EXPECT_EQ(j["listeners"][0]["address"], "[::]:7001");
  ASSERT_EQ(j["clients"].size(), 1u);
  EXPECT_EQ(j["clients"][0]["peer"], "10.0.0.9:5555");
  EXPECT_EQ(j["clients"][0]["access"], "ro");
  EXPECT_EQ(j["clients"][0]["lag_bytes"], 100u);
  EXPECT_FALSE(PortToJson(p, false).contains("clients"));
  // Stable key order for people reading it: name first.
  EXPECT_EQ(j.begin().key(), "name");
}

TEST(JsonRenderTest, UartCountersWhenPresent) {
  PortSnapshot p;
  p.uart = UartCounters{};
  p.uart->parity = 5;
  p.uart->brk = 1;
  const auto j = PortToJson(p, false);
  EXPECT_EQ(j["uart"]["parity"], 5u);
  EXPECT_EQ(j["uart"]["breaks"], 1u);
}

}  // namespace
}  // namespace ttyhub
