#include "tools/ctl/tables.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TablesTest, HumanUnits) {
  EXPECT_EQ(HumanRate(950), "950 B/s");
  EXPECT_EQ(HumanRate(12345), "12.3 KB/s");
  EXPECT_EQ(HumanRate(1.5e6), "1.5 MB/s");
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(3.5 * 1024 * 1024), "3.5 MiB");
}

TEST(TablesTest, ColumnsAlign) {
  EXPECT_EQ(RenderTable({{"A", "BB"}, {"ccc", "d"}}), "A    BB\nccc  d\n");
}

TEST(TablesTest, PortsTable) {
  const auto response = nlohmann::ordered_json::parse(R"({"ports": [
    {"name": "sw1", "device": "/dev/ttyS0", "serial": "9600E71", "flow": "none", "state": "open",
     "clients_rw": 1, "clients_ro": 3,
     "rates": {"device_rx_bytes_per_second": 960.0, "device_tx_bytes_per_second": 12.0},
     "counters": {"skipped_bytes": 2048},
     "uart": {"parity": 312, "frame": 1, "overrun": 0, "buffer_overrun": 0},
     "listeners": [{"address": "[::]:7001", "access": "rw"}, {"address": "[::]:7101", "access": "ro"}]},
    {"name": "lab", "device": "pty:/run/x", "serial": "9600N81", "flow": "none",
     "state": "reopening", "uart": null, "listeners": []}]})");
  const std::string t = RenderPortsTable(response);
  EXPECT_THAT(t, HasSubstr("PORT  DEVICE"));
  EXPECT_THAT(
      t, HasSubstr("sw1   /dev/ttyS0  9600E71  none  open       7001/rw,7101/ro  1   3   960 B/s"));
  EXPECT_THAT(t, HasSubstr("2.0 KiB  313"));
  EXPECT_THAT(t, HasSubstr("lab   pty:/run/x  9600N81  none  reopening"));
  EXPECT_THAT(t, HasSubstr("n/a"));
}

TEST(TablesTest, PortDetailsListClients) {
  const auto port = nlohmann::ordered_json::parse(R"({
    "name": "sw1", "worker": 1, "device": "/dev/ttyS0", "state": "open", "serial": "9600N81",
    "flow": "none", "local": true, "uart": null,
    "clients": [{"id": 3, "peer": "10.0.0.9:5555", "access": "ro", "listener": "[::]:7101",
                 "connected_unix_ms": 1000, "bytes_in": 0, "bytes_out": 4096,
                 "bytes_skipped": 0, "lag_bytes": 10}]})");
  const std::string t = RenderPortDetails(port, 1000 + 125 * 1000);
  EXPECT_THAT(t, HasSubstr("port     sw1 (worker 1)"));
  EXPECT_THAT(t, HasSubstr("error counters unavailable"));
  EXPECT_THAT(t, HasSubstr("clients  1"));
  EXPECT_THAT(t, HasSubstr("3   10.0.0.9:5555  ro      [::]:7101  2m5s"));
}

TEST(TablesTest, PortDetailsListAlerts) {
  const auto port = nlohmann::ordered_json::parse(R"({"name": "sw1", "worker": 0,
    "alerts": [{"name": "panic", "matches": 2, "last_match_unix_ms": 1000,
                "last_line": "Kernel panic - not syncing"},
               {"name": "oops", "matches": 0, "last_match_unix_ms": 0, "last_line": ""}]})");
  const std::string t = RenderPortDetails(port, 1000 + 65 * 1000);
  EXPECT_THAT(t, HasSubstr("alerts   2\n"));
  EXPECT_THAT(t, HasSubstr("ALERT  MATCHES  LAST      LINE\n"));
  EXPECT_THAT(t, HasSubstr("panic  2        1m5s ago  Kernel panic - not syncing\n"));
  EXPECT_THAT(t, HasSubstr("oops   0        never\n"));
  // A port without alerts prints no alerts section.
  EXPECT_THAT(RenderPortDetails(nlohmann::ordered_json::parse(R"({"name": "x", "alerts": []})"), 0),
              Not(HasSubstr("alerts")));
}

}  // namespace
}  // namespace ttyhub::ctl

namespace ttyhub::ctl {
namespace {

// Issue 12: who holds a port's write role, in `ports` and `show`.
TEST(TablesWriteRoleTest, PortsAndShowSayWhoWrites) {
  const auto ports = nlohmann::ordered_json::parse(R"({"ports": [
    {"name": "sw1", "clients_rw": 2, "writer": 7},
    {"name": "sw2", "clients_rw": 0, "writer": null},
    {"name": "sw3", "clients_rw": 1}]})");
  const std::string t = RenderPortsTable(ports);
  EXPECT_THAT(t, HasSubstr("2 w#7"));
  EXPECT_THAT(t, HasSubstr("0 w-"));
  const auto port = nlohmann::ordered_json::parse(R"({"name": "sw1", "worker": 0, "writer": 7,
    "clients": [{"id": 7, "peer": "a:1", "access": "rw", "writer": true, "listener": "l"},
                {"id": 8, "peer": "b:2", "access": "rw", "writer": false, "listener": "l"}]})");
  const std::string d = RenderPortDetails(port, 0);
  EXPECT_THAT(d, HasSubstr("writer   client 7\n"));
  EXPECT_THAT(d, HasSubstr("8   b:2   rw (viewer)"));
  EXPECT_THAT(
      RenderPortDetails(nlohmann::ordered_json::parse(R"({"name": "x", "writer": null})"), 0),
      HasSubstr("writer   nobody holds the write role\n"));
}

}  // namespace
}  // namespace ttyhub::ctl
