// Validation errors are part of the interface: these tests pin exact messages.
#include "config/config_loader.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<Config> Load(const std::string& yaml) { return LoadConfigText(yaml, "ttyhub.yaml"); }

std::string Errors(const std::string& yaml) {
  auto c = Load(yaml);
  EXPECT_FALSE(c.ok()) << "expected an error for:\n" << yaml;
  return std::string(c.status().message());
}

TEST(ConfigLoaderTest, MinimalContractShape) {
  auto c = Load(R"(workers: 2
ports:
  - name: p0
    device: /dev/ttyUSB0
    serial: 115200n81
    listen:
      - {port: 20000, protocol: raw, access: rw, max_clients: 64}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->workers, 2u);
  ASSERT_EQ(c->ports.size(), 1u);
  const PortConfig& p = c->ports[0];
  EXPECT_EQ(p.name, "p0");
  EXPECT_EQ(p.device.kind, DeviceKind::kTty);
  EXPECT_EQ(p.device.path, "/dev/ttyUSB0");
  EXPECT_EQ(p.serial.baud, 115200u);
  ASSERT_EQ(p.listeners.size(), 1u);
  const ListenerConfig& l = p.listeners[0];
  EXPECT_EQ(l.port, 20000);
  EXPECT_EQ(l.host, "");
  EXPECT_EQ(l.protocol, Protocol::kRaw);
  EXPECT_EQ(l.access, Access::kReadWrite);
  EXPECT_EQ(l.max_clients, 64u);
  EXPECT_EQ(l.slow_policy, SlowClientPolicy::kBackpressure);
  EXPECT_EQ(l.stall_timeout, std::chrono::seconds(30));
  EXPECT_EQ(l.idle_timeout, std::chrono::seconds(0));
  EXPECT_EQ(p.buffer_bytes, 256u * 1024);
  EXPECT_TRUE(p.local);
  EXPECT_EQ(l.where, "ttyhub.yaml:7:9: ports[0].listen[0]");
}

TEST(ConfigLoaderTest, ErrorNamesFileLineColumnAndKeyPath) {
  EXPECT_EQ(Errors(R"(workers: 2
ports:
  - name: p0
    device: /dev/ttyUSB0
    listen:
      - {port: 20000}
    serial: 9600x81
)"),
            "ttyhub.yaml:7:13: ports[0].serial: unknown parity 'x' in '9600x81' (use n, e, o, m or "
            "s)");
}

TEST(ConfigLoaderTest, ReportsEveryErrorNotJustTheFirst) {
  const std::string e = Errors(R"(ports:
  - name: p0
    device: /dev/ttyUSB0
    serial: 9600n91
    flow: hardware
    listen:
      - {port: 70000, access: maybe}
)");
  EXPECT_EQ(e,
            "ttyhub.yaml:4:13: ports[0].serial: data bits must be 5 to 8, got '9' in '9600n91'\n"
            "ttyhub.yaml:5:11: ports[0].flow: unknown flow control 'hardware' (use none, xonxoff "
            "or rtscts)\n"
            "ttyhub.yaml:7:16: ports[0].listen[0].port: TCP port must be 1 to 65535, got '70000'\n"
            "ttyhub.yaml:7:31: ports[0].listen[0].access: unknown access 'maybe' (use rw or ro)");
}

TEST(ConfigLoaderTest, UnknownKeysAreErrors) {
  EXPECT_EQ(Errors(R"(ports:
  - name: p0
    device: /dev/ttyS0
    baud: 9600
    listen: [{port: 2000, acess: ro}]
worker: 3
)"),
            "ttyhub.yaml:4:5: ports[0].baud: unknown key\n"
            "ttyhub.yaml:5:27: ports[0].listen[0].acess: unknown key\n"
            "ttyhub.yaml:6:1: worker: unknown key");
}

TEST(ConfigLoaderTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(Errors(R"(ports:
  - name: p0
    name: p1
    device: /dev/ttyS0
    listen: [{port: 2000}]
)"),
            "ttyhub.yaml:3:5: ports[0].name: duplicate key");
}

TEST(ConfigLoaderTest, DuplicatePortNamesDevicesAndTcpPorts) {
  EXPECT_EQ(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: 2000}]
  - name: a
    device: /dev/ttyS0
    listen: [{port: "127.0.0.1:2000"}]
)"),
            "ttyhub.yaml:5:11: ports[1].name: duplicate port name 'a', first used at "
            "ttyhub.yaml:2:5: ports[0]\n"
            "ttyhub.yaml:6:13: ports[1].device: '/dev/ttyS0' is already used by port 'a'; to "
            "serve one device on several TCP ports, give that port several listeners (or, to share "
            "it ser2net's way with other settings per port, set open: on_connect on each)\n"
            "ttyhub.yaml:7:21: ports[1].listen[0].port: TCP port 2000 is already used by "
            "ttyhub.yaml:4:14: ports[0].listen[0]");
}

TEST(ConfigLoaderTest, SameTcpPortOnDifferentSpecificAddressesIsFine) {
  auto c = Load(R"(ports:
  - name: a
    device: sim:echo
    listen: [{port: "127.0.0.1:2000"}, {port: "[::1]:2000"}]
  - name: b
    device: sim:echo
    listen: [{port: "127.0.0.2:2000"}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ports[0].listeners[0].host, "127.0.0.1");
  EXPECT_EQ(c->ports[0].listeners[1].host, "::1");
}

TEST(ConfigLoaderTest, DefaultsAreInheritedAndOverridden) {
  auto c = Load(R"(defaults:
  serial: 9600e71
  flow: rtscts
  timeout: 10m
  max_clients: 4
  banner: 'hello \N\r\n'
  local: false
ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: 2000}, {port: 2001, access: ro, max_clients: 100, timeout: 0}]
  - name: b
    device: /dev/ttyS1
    serial: 115200n81
    buffer: 100KiB
    stall_timeout: 5s
    listen: [{port: 2002, slow_writer: skip}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  const PortConfig& a = c->ports[0];
  EXPECT_EQ(FormatSerialSettings(a.serial), "9600E71");
  EXPECT_EQ(a.serial.flow, FlowControl::kRtsCts);
  EXPECT_FALSE(a.local);
  EXPECT_EQ(a.listeners[0].max_clients, 4u);
  EXPECT_EQ(a.listeners[0].idle_timeout, std::chrono::minutes(10));
  EXPECT_EQ(a.listeners[0].banner, "hello \\N\\r\\n");
  EXPECT_EQ(a.listeners[1].max_clients, 100u);
  EXPECT_EQ(a.listeners[1].idle_timeout, std::chrono::seconds(0));
  EXPECT_EQ(a.listeners[1].slow_policy, SlowClientPolicy::kSkip);
  const PortConfig& b = c->ports[1];
  EXPECT_EQ(FormatSerialSettings(b.serial), "115200N81");
  EXPECT_EQ(b.serial.flow, FlowControl::kRtsCts);  // flow is its own key, still inherited
  EXPECT_EQ(b.buffer_bytes, 128u * 1024);          // rounded up to a power of two
  EXPECT_EQ(b.listeners[0].stall_timeout, std::chrono::seconds(5));
  EXPECT_EQ(b.listeners[0].slow_policy, SlowClientPolicy::kSkip);
}

TEST(ConfigLoaderTest, Protocols) {
  auto c = Load(R"(defaults: {protocol: telnet}
ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: 2000}, {port: 2001, protocol: rfc2217, signature: "rack 4 port a"},
             {port: 2002, protocol: raw}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ports[0].listeners[0].protocol, Protocol::kTelnet);
  EXPECT_EQ(c->ports[0].listeners[1].protocol, Protocol::kRfc2217);
  EXPECT_EQ(c->ports[0].listeners[1].signature, "rack 4 port a");
  EXPECT_EQ(c->ports[0].listeners[2].protocol, Protocol::kRaw);
  EXPECT_EQ(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: 2000, protocol: ssh}, {port: 2001, signature: x}]
)"),
            "ttyhub.yaml:4:37: ports[0].listen[0].protocol: unknown protocol 'ssh' (use raw, "
            "telnet or rfc2217)\n"
            "ttyhub.yaml:4:67: ports[0].listen[1].signature: applies to protocol: rfc2217 "
            "listeners only");
}

TEST(ConfigLoaderTest, PolicyKeysMustMatchAccess) {
  EXPECT_EQ(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen:
      - {port: 2000, access: rw, slow_viewer: skip}
      - {port: 2001, access: ro, slow_writer: backpressure}
      - {port: 2002, access: ro, slow_viewer: backpressure}
)"),
            "ttyhub.yaml:5:47: ports[0].listen[0].slow_viewer: applies to ro listeners; this "
            "listener is rw (use slow_writer)\n"
            "ttyhub.yaml:6:47: ports[0].listen[1].slow_writer: applies to rw listeners; this "
            "listener is ro (use slow_viewer)\n"
            "ttyhub.yaml:7:47: ports[0].listen[2].slow_viewer: unknown policy 'backpressure' "
            "(use skip or disconnect)");
}

TEST(ConfigLoaderTest, ListenAddresses) {
  EXPECT_EQ(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: [::1]:2000}]
)"),
            "ttyhub.yaml:4:26: YAML syntax error: end of map flow not found (quote IPv6 listen "
            "addresses, as in port: \"[::1]:7000\")");
  EXPECT_EQ(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen:
      - port: [::1]
)"),
            "ttyhub.yaml:5:15: ports[0].listen[0].port: must be a port number or \"host:port\"; "
            "quote IPv6 addresses, as in \"[::1]:7000\"");
  EXPECT_THAT(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: "example.com:2000"}]
)"),
              HasSubstr("'example.com' is not a numeric IPv4 address"));
  EXPECT_THAT(Errors(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: "::1:2000"}]
)"),
              HasSubstr("put IPv6 addresses in brackets, as in \"[::1]:2000\""));
  auto c = Load(R"(ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: "localhost:2000"}, {port: "*:2001"}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ports[0].listeners[0].host, "127.0.0.1");
  EXPECT_EQ(c->ports[0].listeners[1].host, "");
}

TEST(ConfigLoaderTest, DeviceKinds) {
  auto c = Load(R"(ports:
  - {name: a, device: sim:echo, listen: [{port: 1}]}
  - {name: b, device: sim:console, listen: [{port: 2}]}
  - {name: c, device: "pty:/run/ttyhub/c", listen: [{port: 3}]}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ports[0].device.kind, DeviceKind::kSim);
  EXPECT_EQ(c->ports[1].device.path, "console");
  EXPECT_EQ(c->ports[2].device.kind, DeviceKind::kPty);
  EXPECT_EQ(c->ports[2].device.path, "/run/ttyhub/c");
  EXPECT_EQ(Errors(R"(ports:
  - {name: a, device: sim:modem, listen: [{port: 1}]}
  - {name: b, device: ttyS0, listen: [{port: 2}]}
)"),
            "ttyhub.yaml:2:23: ports[0].device: unknown simulated device 'sim:modem' (use "
            "sim:echo or sim:console)\n"
            "ttyhub.yaml:3:23: ports[1].device: expected an absolute device path (like "
            "/dev/ttyUSB0), pty:PATH, sim:NAME or tcp://, telnet://, rfc2217://HOST:PORT, got "
            "'ttyS0'");
}

TEST(ConfigLoaderTest, NetworkDevicesAreUrlsWithNumericHosts) {
  auto c = Load(R"(ports:
  - {name: a, device: "tcp://127.0.0.1:7001", listen: [{port: 1}]}
  - {name: b, device: "telnet://[::1]:23", listen: [{port: 2}]}
  - {name: c, device: "RFC2217://localhost:7004", serial: 9600e71, listen: [{port: 3}]}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ports[0].device.kind, DeviceKind::kNetwork);
  EXPECT_EQ(c->ports[0].device.protocol, Protocol::kRaw);
  EXPECT_EQ(c->ports[0].device.path, "127.0.0.1:7001");
  EXPECT_EQ(c->ports[1].device.protocol, Protocol::kTelnet);
  EXPECT_EQ(c->ports[1].device.host, "::1");
  EXPECT_EQ(c->ports[1].device.path, "[::1]:23");
  EXPECT_EQ(c->ports[2].device.protocol, Protocol::kRfc2217);
  EXPECT_EQ(c->ports[2].device.host, "127.0.0.1");
  EXPECT_EQ(c->ports[2].device.port, 7004);
  EXPECT_EQ(c->ports[2].device.original, "RFC2217://localhost:7004");
  EXPECT_EQ(FormatSerialSettings(c->ports[2].serial), "9600E71");

  EXPECT_EQ(Errors(R"(ports:
  - {name: a, device: "ssh://127.0.0.1:22", listen: [{port: 1}]}
  - {name: b, device: "tcp://console.example:7001", listen: [{port: 2}]}
  - {name: c, device: "tcp://127.0.0.1", listen: [{port: 3}]}
  - {name: d, device: "telnet://127.0.0.1:70000", listen: [{port: 4}]}
)"),
            "ttyhub.yaml:2:23: ports[0].device: unknown scheme 'ssh' in 'ssh://127.0.0.1:22' "
            "(use tcp://, telnet:// or rfc2217://)\n"
            "ttyhub.yaml:3:23: ports[1].device: 'tcp://console.example:7001': host "
            "'console.example' is not a numeric IPv4 address, an IPv6 address in brackets or "
            "localhost (ttyhub does not look names up: that would block its worker)\n"
            "ttyhub.yaml:4:23: ports[2].device: 'tcp://127.0.0.1' needs a port, like "
            "tcp://127.0.0.1:7001\n"
            "ttyhub.yaml:5:23: ports[3].device: 'telnet://127.0.0.1:70000': port '70000' is not a "
            "number from 1 to 65535");
}

TEST(ConfigLoaderTest, SerialOnABytesOnlyNetworkDeviceIsAnError) {
  // Written on the port: an error naming the line.
  EXPECT_EQ(Errors(R"(ports:
  - name: a
    device: "tcp://127.0.0.1:7001"
    serial: 9600n81
    listen: [{port: 1}]
)"),
            "ttyhub.yaml:4:13: ports[0].serial: a tcp:// device carries bytes only, so ttyhub "
            "cannot set its line; use rfc2217:// to forward settings to the remote port, or "
            "remove serial:");
  // Inherited from defaults: accepted (reported, never applied).
  auto c = Load(R"(defaults: {serial: 9600n81}
ports:
  - {name: a, device: "telnet://127.0.0.1:7001", listen: [{port: 1}]}
)");
  EXPECT_TRUE(c.ok()) << c.status();
}

TEST(ConfigLoaderTest, MissingPiecesAreNamed) {
  EXPECT_EQ(Errors("workers: 1\n"), "ttyhub.yaml:1:1: ports: missing; list at least one port");
  EXPECT_EQ(Errors(""), "ttyhub.yaml:1:1: the configuration is empty: it needs a 'ports:' list");
  EXPECT_EQ(Errors("ports:\n  - {}\n"),
            "ttyhub.yaml:2:5: ports[0]: name: missing\n"
            "ttyhub.yaml:2:5: ports[0]: device: missing\n"
            "ttyhub.yaml:2:5: ports[0]: listen: missing (a list of listeners such as {port: "
            "20000})");
  EXPECT_EQ(Errors("ports: 7\n"), "ttyhub.yaml:1:8: ports: must be a list of ports");
  EXPECT_THAT(Errors("ports: [a\n"), HasSubstr("YAML syntax error"));
}

TEST(ConfigLoaderTest, ValueRanges) {
  const std::string e = Errors(R"(workers: 0
shutdown_timeout: soon
ports:
  - name: "bad name"
    device: /dev/ttyS0
    buffer: 1KiB
    banner: 'oops \q'
    listen: [{port: 1, max_clients: 0}]
)");
  EXPECT_EQ(e,
            "ttyhub.yaml:1:10: workers: must be between 1 and 1024, got 0\n"
            "ttyhub.yaml:2:19: shutdown_timeout: expected a number, got 'soon'\n"
            "ttyhub.yaml:4:11: ports[0].name: 'bad name' is not a valid port name (1 to 64 of "
            "A-Z a-z 0-9 _ - .)\n"
            "ttyhub.yaml:6:13: ports[0].buffer: must be between 4KiB and 64MiB, got '1KiB'\n"
            "ttyhub.yaml:7:13: ports[0].banner: unknown banner escape '\\q' (known: \\r \\n \\t "
            "\\a \\b \\f \\v \\e \\\\ \\xHH \\N \\d \\p \\B \\s)\n"
            "ttyhub.yaml:8:37: ports[0].listen[0].max_clients: must be between 1 and 100000, got "
            "0");
}

// Issue 14: `latency:` per port (inherited from defaults), `busy_poll:`
// at the top level; the default is frugal.
TEST(ConfigLoaderTest, LatencyAndBusyPoll) {
  auto c = Load(R"(busy_poll: {window: 250us, budget: 30%}
defaults: {latency: low}
ports:
  - {name: a, device: sim:echo, listen: [{port: 7001}]}
  - {name: b, device: sim:echo, latency: normal, listen: [{port: 7002}]}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->busy_poll.window, std::chrono::microseconds(250));
  EXPECT_EQ(c->busy_poll.budget_percent, 30u);
  EXPECT_EQ(c->ports[0].latency, Latency::kLow);
  EXPECT_EQ(c->ports[1].latency, Latency::kNormal);

  auto d = Load(
      "busy_poll: {window: 2ms}\nports:\n  - {name: a, device: sim:echo, listen: [{port: "
      "7001}]}\n");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->busy_poll.window, std::chrono::microseconds(2000));
  EXPECT_EQ(d->busy_poll.budget_percent, 50u);
  EXPECT_EQ(d->ports[0].latency, Latency::kNormal);
}

TEST(ConfigLoaderTest, LatencyAndBusyPollErrors) {
  const std::string e = Errors(R"(busy_poll: {window: 100, budget: 0%, spin: yes}
ports:
  - {name: a, device: sim:echo, latency: fast, listen: [{port: 7001}]}
  - {name: b, device: sim:echo, listen: [{port: 7002, latency: low}]}
)");
  EXPECT_THAT(e, HasSubstr("ttyhub.yaml:1:21: busy_poll.window: '100' needs a unit: us, ms or s "
                           "(for example 100us)"));
  EXPECT_THAT(e, HasSubstr("ttyhub.yaml:1:34: busy_poll.budget: must be a share of one core from "
                           "1% to 100%, got '0%'"));
  EXPECT_THAT(e, HasSubstr("busy_poll.spin"));
  EXPECT_THAT(e, HasSubstr("ttyhub.yaml:3:42: ports[0].latency: unknown latency 'fast' (use "
                           "normal, the default, or low"));
  EXPECT_THAT(e, HasSubstr("ports[1].listen[0].latency"));
  EXPECT_THAT(Errors("busy_poll: {window: 20ms}\nports:\n  - {name: a, device: sim:echo, listen: "
                     "[{port: 1}]}\n"),
              HasSubstr("busy_poll.window: must be between 1us and 10ms, got '20ms'"));
  EXPECT_THAT(Errors("busy_poll: {budget: 101}\nports:\n  - {name: a, device: sim:echo, listen: "
                     "[{port: 1}]}\n"),
              HasSubstr("busy_poll.budget: must be a share of one core from 1% to 100%"));
}

// Issue 10 section 2: `history:` is off, a byte size, or N lines.
TEST(ConfigLoaderTest, HistoryBytesLinesAndOff) {
  auto c = Load(R"(ports:
  - name: a
    device: sim:console
    listen:
      - {port: 1}
      - {port: 2, history: 64KiB}
      - {port: 3, history: 4096}
      - {port: 4, history: 200 lines}
      - {port: 5, history: 1 line}
      - {port: 6, history: off}
      - {port: 7, history: false}
      - {port: 8, history: 16MiB}
      - {port: 9, history: 100000 Lines}
)");
  ASSERT_TRUE(c.ok()) << c.status();
  const std::vector<ListenerConfig>& l = c->ports[0].listeners;
  ASSERT_EQ(l.size(), 9u);
  using Kind = HistorySpec::Kind;
  EXPECT_EQ(l[0].history.kind, Kind::kOff);  // the default
  EXPECT_EQ(l[0].history.amount, 0u);
  EXPECT_EQ(l[1].history.kind, Kind::kBytes);
  EXPECT_EQ(l[1].history.amount, 64u * 1024);
  EXPECT_EQ(l[2].history.kind, Kind::kBytes);
  EXPECT_EQ(l[2].history.amount, 4096u);
  EXPECT_EQ(l[3].history.kind, Kind::kLines);
  EXPECT_EQ(l[3].history.amount, 200u);
  EXPECT_EQ(l[4].history.kind, Kind::kLines);
  EXPECT_EQ(l[4].history.amount, 1u);
  EXPECT_EQ(l[5].history.kind, Kind::kOff);
  EXPECT_EQ(l[6].history.kind, Kind::kOff);
  EXPECT_EQ(l[7].history.kind, Kind::kBytes);
  EXPECT_EQ(l[7].history.amount, 16u * 1024 * 1024);
  EXPECT_EQ(l[8].history.kind, Kind::kLines);
  EXPECT_EQ(l[8].history.amount, 100000u);
}

// Set in defaults, overridden on a port, overridden again (even to off) on
// a listener, like timeout and banner.
TEST(ConfigLoaderTest, HistoryIsInherited) {
  auto c = Load(R"(defaults:
  history: 32KiB
ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: 2000}, {port: 2001, history: off}]
  - name: b
    device: /dev/ttyS1
    history: 50 lines
    listen: [{port: 2002}, {port: 2003, history: 1KiB}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  const std::vector<ListenerConfig>& a = c->ports[0].listeners;
  EXPECT_EQ(a[0].history.kind, HistorySpec::Kind::kBytes);
  EXPECT_EQ(a[0].history.amount, 32u * 1024);
  EXPECT_EQ(a[1].history.kind, HistorySpec::Kind::kOff);
  const std::vector<ListenerConfig>& b = c->ports[1].listeners;
  EXPECT_EQ(b[0].history.kind, HistorySpec::Kind::kLines);
  EXPECT_EQ(b[0].history.amount, 50u);
  EXPECT_EQ(b[1].history.kind, HistorySpec::Kind::kBytes);
  EXPECT_EQ(b[1].history.amount, 1024u);
}

TEST(ConfigLoaderTest, HistoryErrors) {
  EXPECT_EQ(Errors(R"(defaults:
  history: lots
ports:
  - name: a
    device: /dev/ttyS0
    history: 0
    listen:
      - {port: 1, history: 12 parsecs}
      - {port: 2, history: 32MiB}
      - {port: 3, history: 0 lines}
      - {port: 4, history: 100001 lines}
      - {port: 5, history: -3 lines}
      - {port: 6, history: lines}
      - {port: 7, history: true}
      - {port: 8, history: [200, lines]}
      - {port: 9, history: 99999999999999999999999 lines}
      - {port: 10, history: 99999999999999999999999}
)"),
            "ttyhub.yaml:2:12: defaults.history: expected off, a size such as 64KiB, or N lines, "
            "got 'lots'\n"
            "ttyhub.yaml:6:14: ports[0].history: must be between 1B and 16MiB, got '0' (use off "
            "for no history)\n"
            "ttyhub.yaml:8:28: ports[0].listen[0].history: expected off, a size such as 64KiB, "
            "or N lines, got '12 parsecs'\n"
            "ttyhub.yaml:9:28: ports[0].listen[1].history: must be between 1B and 16MiB, got "
            "'32MiB'\n"
            "ttyhub.yaml:10:28: ports[0].listen[2].history: must be between 1 and 100000 lines, "
            "got '0 lines'\n"
            "ttyhub.yaml:11:28: ports[0].listen[3].history: must be between 1 and 100000 lines, "
            "got '100001 lines'\n"
            "ttyhub.yaml:12:28: ports[0].listen[4].history: expected off, a size such as 64KiB, "
            "or N lines, got '-3 lines'\n"
            "ttyhub.yaml:13:28: ports[0].listen[5].history: expected off, a size such as 64KiB, "
            "or N lines, got 'lines'\n"
            "ttyhub.yaml:14:28: ports[0].listen[6].history: needs an amount, such as 64KiB or "
            "200 lines, got 'true'\n"
            "ttyhub.yaml:15:28: ports[0].listen[7].history: must be a single value\n"
            "ttyhub.yaml:16:28: ports[0].listen[8].history: must be between 1 and 100000 lines, "
            "got '99999999999999999999999 lines'\n"
            "ttyhub.yaml:17:29: ports[0].listen[9].history: must be between 1B and 16MiB, got "
            "'99999999999999999999999'");
}

// Issue 10 section 4: `alerts:` on a port or in defaults; a port's list
// replaces the defaults' list.
TEST(ConfigLoaderTest, AlertsParseAndInherit) {
  auto c = Load(R"(defaults:
  alerts: [{name: panic, regex: 'Kernel panic|Oops:|Call Trace'}]
ports:
  - name: a
    device: /dev/ttyS0
    listen: [{port: 2000}]
  - name: b
    device: /dev/ttyS1
    alerts:
      - {name: boot, regex: 'Linux version \d+'}
      - {name: login.prompt_1, regex: '(?i)login:'}
    listen: [{port: 2001}]
  - name: c
    device: /dev/ttyS2
    alerts: []
    listen: [{port: 2002}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->ports[0].alerts.size(), 1u);
  EXPECT_EQ(c->ports[0].alerts[0].name, "panic");
  EXPECT_EQ(c->ports[0].alerts[0].regex, "Kernel panic|Oops:|Call Trace");
  ASSERT_EQ(c->ports[1].alerts.size(), 2u);
  EXPECT_EQ(c->ports[1].alerts[0].name, "boot");
  EXPECT_EQ(c->ports[1].alerts[0].regex, "Linux version \\d+");
  EXPECT_EQ(c->ports[1].alerts[1].name, "login.prompt_1");
  EXPECT_TRUE(c->ports[2].alerts.empty()) << "an empty list turns the defaults' alerts off";
}

TEST(ConfigLoaderTest, AlertErrors) {
  const std::string long_regex(1025, 'a');
  EXPECT_EQ(Errors(R"(defaults:
  alerts: {name: x, regex: y}
ports:
  - name: a
    device: /dev/ttyS0
    alerts:
      - {name: ok, regex: 'fine'}
      - {name: bad, regex: 'Kernel (panic'}
      - {name: ok, regex: 'dup'}
      - {name: 'sp ace', regex: 'x'}
      - {regex: 'x'}
      - {name: nore}
      - {name: huge, regex: )" +
                   long_regex + R"(}
      - {name: big, regex: '((((((((((a{100}){100}){100}){100}){100})))))'}
      - {name: br, regex: '(?P<n>a)\9', extra: 1}
      - {name: mem, regex: '[\p{L}\p{N}]{1000}'}
      - just a string
    listen: [{port: 2000}]
)"),
            "ttyhub.yaml:2:11: defaults.alerts: must be a list of alerts such as [{name: panic, "
            "regex: 'Kernel panic|Oops:'}]\n"
            "ttyhub.yaml:8:28: ports[0].alerts[1].regex: is not a valid RE2 regular expression: "
            "missing ): Kernel (panic (see RE2's syntax)\n"
            "ttyhub.yaml:9:16: ports[0].alerts[2].name: duplicate alert name 'ok', first used at "
            "ttyhub.yaml:7:16: ports[0].alerts[0].name\n"
            "ttyhub.yaml:10:16: ports[0].alerts[3].name: 'sp ace' is not a valid alert name (1 "
            "to 64 of A-Z a-z 0-9 _ - .)\n"
            "ttyhub.yaml:11:9: ports[0].alerts[4]: name: missing\n"
            "ttyhub.yaml:12:9: ports[0].alerts[5]: regex: missing\n"
            "ttyhub.yaml:13:29: ports[0].alerts[6].regex: is 1025 bytes; at most 1024 are "
            "allowed\n"
            "ttyhub.yaml:14:28: ports[0].alerts[7].regex: is not a valid RE2 regular expression: "
            "invalid repetition size: {100} (see RE2's syntax)\n"
            "ttyhub.yaml:15:27: ports[0].alerts[8].regex: is not a valid RE2 regular expression: "
            "invalid escape sequence: \\9 (see RE2's syntax)\n"
            "ttyhub.yaml:15:41: ports[0].alerts[8].extra: unknown key\n"
            "ttyhub.yaml:16:28: ports[0].alerts[9].regex: is "
            "too large: RE2 could not compile it within 1048576 bytes of memory\n"
            "ttyhub.yaml:17:9: ports[0].alerts[10]: must be a mapping such as {name: panic, "
            "regex: 'Kernel panic'}");
  std::string many =
      "ports:\n  - name: a\n    device: /dev/ttyS0\n    listen: [{port: 1}]\n"
      "    alerts:\n";
  for (int i = 0; i < 65; ++i) {
    many += "      - {name: a" + std::to_string(i) + ", regex: x}\n";
  }
  EXPECT_EQ(Errors(many),
            "ttyhub.yaml:6:7: ports[0].alerts: has 65 alerts; at most 64 are allowed (combine "
            "patterns with |)");
}

TEST(ConfigLoaderTest, AdminBlock) {
  auto c = Load("ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->admin.enabled);
  c = Load("admin: {listen: 9000}\nports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->admin.enabled);
  EXPECT_EQ(c->admin.host, "127.0.0.1");  // a bare port stays on loopback
  EXPECT_EQ(c->admin.port, 9000);
  c = Load(
      "admin: {listen: \"*:9000\", token: 0123456789abcdef}\n"
      "ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->admin.host, "0.0.0.0");
  EXPECT_EQ(c->admin.token, "0123456789abcdef");
  EXPECT_EQ(Errors("admin: {listen: 8420, token: short, tls: yes}\n"
                   "ports: [{name: a, device: sim:echo, listen: [{port: 8420}]}]\n"),
            "ttyhub.yaml:1:8: admin.listen: TCP port 8420 is already used by ttyhub.yaml:2:46: "
            "ports[0].listen[0]\n"
            "ttyhub.yaml:1:30: admin.token: must be at least 16 characters\n"
            "ttyhub.yaml:1:37: admin.tls: unknown key");
}

// Runs `load` in a child process so that a load that never finishes (the
// old /dev/zero and FIFO behaviour) fails the test instead of hanging it.
// Returns the child's message: "ok" or the error text; "TIMEOUT" if it ran
// past `budget`.
std::string LoadInChild(const std::function<absl::StatusOr<Config>()>& load,
                        std::chrono::seconds budget) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    auto c = load();
    const std::string out = c.ok() ? "ok" : std::string(c.status().message());
    (void)!write(pipe_fds[1], out.data(), out.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string out;
  const auto end = std::chrono::steady_clock::now() + budget;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      kill(pid, SIGKILL);
      out = "TIMEOUT";
      break;
    }
    char buf[512];
    const ssize_t n = read(pipe_fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  waitpid(pid, nullptr, 0);
  return out;
}

std::string AdminWithTokenFile(const std::string& path) {
  return "admin: {listen: 9000, token_file: \"" + path +
         "\"}\nports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n";
}

// Issue 9 item 16: token_file: /dev/zero grew without end, a FIFO blocked
// forever. Only a regular file of at most 4 KiB is read.
TEST(ConfigLoaderTest, TokenFileIsARegularSmallFile) {
  const std::string dir = ::testing::TempDir() + "/token_test_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string good = dir + "/token";
  std::ofstream(good) << "  0123456789abcdef-secret  \nsecond line ignored\n";
  auto c = Load(AdminWithTokenFile(good));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->admin.token, "0123456789abcdef-secret");

  const auto budget = std::chrono::seconds(10);
  EXPECT_EQ(LoadInChild([] { return Load(AdminWithTokenFile("/dev/zero")); }, budget),
            "ttyhub.yaml:1:35: admin.token_file: token file '/dev/zero' is not a regular file");
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(LoadInChild([&] { return Load(AdminWithTokenFile(fifo)); }, budget),
            "ttyhub.yaml:1:35: admin.token_file: token file '" + fifo + "' is not a regular file");
  const std::string big = dir + "/big";
  std::ofstream(big) << std::string(4097, 'x');
  EXPECT_EQ(LoadInChild([&] { return Load(AdminWithTokenFile(big)); }, budget),
            "ttyhub.yaml:1:35: admin.token_file: token file '" + big +
                "' is 4097 bytes; a token file holds at most 4096");
  EXPECT_THAT(Errors(AdminWithTokenFile(dir + "/missing")),
              HasSubstr("admin.token_file: cannot read token file '" + dir +
                        "/missing': No such file or directory"));
  const std::string short_token = dir + "/short";
  std::ofstream(short_token) << "short\n";
  EXPECT_THAT(Errors(AdminWithTokenFile(short_token)),
              HasSubstr("the token in '" + short_token + "' must be at least 16 characters"));
  std::filesystem::remove_all(dir);
}

// Issue 9 item 16: a second YAML document was silently ignored.
TEST(ConfigLoaderTest, ASecondYamlDocumentIsAnError) {
  EXPECT_EQ(Errors("ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n"
                   "---\n"
                   "ports: [{name: b, device: sim:echo, listen: [{port: 2}]}]\n"),
            "ttyhub.yaml:2:1: a second YAML document starts here; a configuration file holds "
            "exactly one (remove this '---' and what follows, or merge it into the first "
            "document)");
  // Even an empty one: the file is not what its author thinks it is.
  EXPECT_THAT(Errors("---\nports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n---\n"),
              HasSubstr("ttyhub.yaml:3:1: a second YAML document starts here"));
  // One document with its optional start and end markers is fine.
  EXPECT_TRUE(Load("---\nports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n...\n").ok());
}

// Issue 9 item 12: the admin block's cross-site guards.
TEST(ConfigLoaderTest, AdminAllowedHostsAndReadToken) {
  auto c = Load(
      "admin: {listen: \"*:9000\", token: 0123456789abcdef, token_required_for_reads: true,\n"
      "        allowed_hosts: [Console1.Example.COM, \"console1.\"]}\n"
      "ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->admin.token_required_for_reads);
  EXPECT_EQ(c->admin.allowed_hosts, (std::vector<std::string>{"console1.example.com", "console1"}));
  c = Load("admin: {listen: 9000}\nports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->admin.token_required_for_reads);
  EXPECT_TRUE(c->admin.allowed_hosts.empty());
  EXPECT_EQ(Errors("admin: {listen: 9000, token_required_for_reads: true,\n"
                   "        allowed_hosts: [\"evil.com:80\", \"*.example.com\", \"\"]}\n"
                   "ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n"),
            "ttyhub.yaml:1:49: admin.token_required_for_reads: needs a token: set token or "
            "token_file as well\n"
            "ttyhub.yaml:2:25: admin.allowed_hosts[0]: 'evil.com:80' is not a host name: give a "
            "DNS name such as console1.example.com, without port, scheme or wildcard\n"
            "ttyhub.yaml:2:40: admin.allowed_hosts[1]: '*.example.com' is not a host name: give "
            "a DNS name such as console1.example.com, without port, scheme or wildcard\n"
            "ttyhub.yaml:2:57: admin.allowed_hosts[2]: '' is not a host name: give a DNS name "
            "such as console1.example.com, without port, scheme or wildcard");
  EXPECT_EQ(Errors("admin: {listen: 9000, allowed_hosts: console1}\n"
                   "ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n"),
            "ttyhub.yaml:1:38: admin.allowed_hosts: must be a list of host names, like "
            "[console1.example.com]");
}

TEST(ConfigLoaderTest, WorkersDefaultToOnlineCpus) {
  auto c = Load("ports: [{name: a, device: sim:echo, listen: [{port: 1}]}]\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->workers, static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)));
}

TEST(ConfigLoaderTest, MissingFileSaysSo) {
  auto c = LoadConfigFile("/nonexistent/ttyhub.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "/nonexistent/ttyhub.yaml: cannot open configuration file: No such file or directory");
}

TEST(ConfigLoaderTest, ShippedExamplesAreValid) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TTYHUB_SOURCE_DIR) + "/config/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    auto c = LoadConfigFile(entry.path().string());
    EXPECT_TRUE(c.ok()) << entry.path() << ": " << c.status();
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// Issue 10: `log:` in defaults and per port, merged key by key.
TEST(ConfigLoaderLogTest, LogKeysParseMergeAndDefault) {
  auto c = LoadConfigText(
      "defaults:\n"
      "  log:\n"
      "    path: /var/log/consoles/%n.log\n"
      "    rotate: {size: 16MiB, keep: 4, daily: true}\n"
      "ports:\n"
      "  - {name: a, device: sim:echo, listen: [{port: 7001}]}\n"
      "  - {name: b, device: sim:echo, listen: [{port: 7002}], log: {input: true, timestamps: "
      "false}}\n"
      "  - {name: c, device: sim:echo, listen: [{port: 7003}], log: off}\n"
      "  - {name: d, device: sim:echo, listen: [{port: 7004}], log: {rotate: {keep: 2}}}\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const ConsoleLogConfig& a = c->ports[0].log;
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.path, "/var/log/consoles/%n.log");
  EXPECT_TRUE(a.timestamps);
  EXPECT_FALSE(a.input);
  EXPECT_EQ(a.rotate_bytes, 16u << 20);
  EXPECT_EQ(a.keep, 4u);
  EXPECT_TRUE(a.daily);
  const ConsoleLogConfig& b = c->ports[1].log;
  EXPECT_TRUE(b.enabled);
  EXPECT_EQ(b.path, "/var/log/consoles/%n.log");
  EXPECT_TRUE(b.input);
  EXPECT_FALSE(b.timestamps);
  EXPECT_FALSE(c->ports[2].log.enabled);
  // A port's rotate mapping replaces single keys, not the whole block.
  EXPECT_EQ(c->ports[3].log.keep, 2u);
  EXPECT_EQ(c->ports[3].log.rotate_bytes, 16u << 20);

  auto plain = LoadConfigText(
      "ports:\n  - {name: a, device: sim:echo, listen: [{port: 7001}], log: on}\n", "t.yaml");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->ports[0].log.path, "/var/log/ttyhub/%n.log");
  EXPECT_EQ(plain->ports[0].log.rotate_bytes, 0u);
  EXPECT_EQ(plain->ports[0].log.keep, 8u);
  auto none =
      LoadConfigText("ports:\n  - {name: a, device: sim:echo, listen: [{port: 7001}]}\n", "t.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->ports[0].log.enabled);
}

TEST(ConfigLoaderLogTest, BadLogValuesNameFileLineAndKey) {
  auto errors = [](const std::string& log) {
    auto c = LoadConfigText(
        "ports:\n  - name: a\n    device: sim:echo\n    listen: [{port: 7001}]\n    log: " + log +
            "\n",
        "t.yaml");
    return c.ok() ? std::string("OK") : std::string(c.status().message());
  };
  EXPECT_THAT(errors("{path: logs/%n.log}"),
              HasSubstr("t.yaml:5:17: ports[0].log.path: must be an absolute path"));
  EXPECT_THAT(errors("{path: /l/%q.log}"), HasSubstr("unknown escape '%q'"));
  EXPECT_THAT(errors("{rotate: {size: 1KiB}}"),
              HasSubstr("ports[0].log.rotate.size: must be between 4KiB and 1TiB"));
  EXPECT_THAT(errors("{rotate: {keep: 0}}"),
              HasSubstr("ports[0].log.rotate.keep: must be between 1 and 1000"));
  EXPECT_THAT(errors("{rotate: 16MiB}"), HasSubstr("ports[0].log.rotate: must be a mapping"));
  EXPECT_THAT(errors("{colour: red}"), HasSubstr("ports[0].log.colour: unknown key"));
  EXPECT_THAT(errors("{timestamps: maybe}"),
              HasSubstr("ports[0].log.timestamps: expected true or false"));
  EXPECT_THAT(errors("sometimes"), HasSubstr("ports[0].log: expected true or false"));
  EXPECT_THAT(errors("[a]"), HasSubstr("ports[0].log: must be on, off, or a mapping"));
}

TEST(ConfigLoaderLogTest, TwoPortsMayNotShareALogFile) {
  auto c = LoadConfigText(
      "defaults:\n  log: {path: /var/log/all-consoles.log}\n"
      "ports:\n"
      "  - {name: a, device: sim:echo, listen: [{port: 7001}]}\n"
      "  - {name: b, device: sim:echo, listen: [{port: 7002}]}\n",
      "t.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("ports[1].log.path"));
  EXPECT_THAT(c.status().message(), HasSubstr("put %n (the port name) in the path"));
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// Issue 12: allow:/deny: per listener, inherited from port and defaults.
TEST(ConfigLoaderAclTest, AllowAndDenyParseAndInherit) {
  auto c = LoadConfigText(
      "defaults: {allow: [10.0.0.0/8, \"2001:db8::/32\"]}\n"
      "ports:\n"
      "  - name: a\n    device: sim:echo\n    deny: 10.9.0.0/16\n"
      "    listen: [{port: 7001}, {port: 7002, allow: [127.0.0.1]}]\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const auto& l = c->ports[0].listeners;
  ASSERT_EQ(l[0].allow.size(), 2u);
  EXPECT_EQ(l[0].allow[1].text, "2001:db8::/32");
  ASSERT_EQ(l[0].deny.size(), 1u);
  ASSERT_EQ(l[1].allow.size(), 1u) << "a listener's list replaces the inherited one";
  EXPECT_EQ(l[1].allow[0].text, "127.0.0.1");
  EXPECT_EQ(l[1].deny.size(), 1u);
}

TEST(ConfigLoaderAclTest, BadNetworksNameTheEntry) {
  auto c = LoadConfigText(
      "ports:\n  - name: a\n    device: sim:echo\n"
      "    listen: [{port: 7001, allow: [10.0.0.0/8, 10.1.2.3/8, bogus]}]\n",
      "t.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("ports[0].listen[0].allow[1]: '10.1.2.3/8' has host bits set"));
  EXPECT_THAT(c.status().message(), HasSubstr("ports[0].listen[0].allow[2]: 'bogus' is not"));
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// Issue 12: write: shared | exclusive | takeover, rw listeners only.
TEST(ConfigLoaderWriteTest, WriteModesParseInheritAndApplyToRwOnly) {
  auto c = LoadConfigText(
      "defaults: {write: exclusive}\n"
      "ports:\n  - name: a\n    device: sim:echo\n"
      "    listen: [{port: 7001}, {port: 7002, write: takeover}, {port: 7003, access: ro}]\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ports[0].listeners[0].write, WriteMode::kExclusive);
  EXPECT_EQ(c->ports[0].listeners[1].write, WriteMode::kTakeover);
  EXPECT_EQ(c->ports[0].listeners[2].write, WriteMode::kShared) << "an ro listener ignores it";
  auto bad = LoadConfigText(
      "ports:\n  - name: a\n    device: sim:echo\n"
      "    listen: [{port: 7001, write: mine}, {port: 7002, access: ro, write: exclusive}]\n",
      "t.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("ports[0].listen[0].write: unknown write mode 'mine'"));
  EXPECT_THAT(bad.status().message(),
              HasSubstr("ports[0].listen[1].write: applies to rw listeners; this listener is ro"));
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

// Issue 12: unix listeners, access by credentials.
TEST(ConfigLoaderUnixTest, UnixListenersParseAndRefuseMixedKeys) {
  auto c = LoadConfigText(
      "ports:\n  - name: sw1\n    device: sim:echo\n"
      "    listen: [{unix: /run/ttyhub/%n.sock, rw_groups: [0, root], ro_groups: 4242, mode: "
      "\"0640\", protocol: telnet}]\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const ListenerConfig& l = c->ports[0].listeners[0];
  EXPECT_EQ(l.unix_path, "/run/ttyhub/sw1.sock");
  EXPECT_EQ(l.rw_gids, (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(l.ro_gids, (std::vector<uint32_t>{4242}));
  EXPECT_EQ(l.socket_mode, 0640u);
  EXPECT_EQ(l.socket_gid, 0);
  EXPECT_EQ(l.access, Access::kReadWrite);
  EXPECT_EQ(l.protocol, Protocol::kTelnet);
  auto errors = [](const std::string& listener) {
    auto r = LoadConfigText(
        "ports:\n  - name: sw1\n    device: sim:echo\n    listen: [" + listener + "]\n", "t.yaml");
    return r.ok() ? std::string("OK") : std::string(r.status().message());
  };
  EXPECT_THAT(errors("{unix: /s, port: 7001}"), HasSubstr("either TCP (port) or unix, not both"));
  EXPECT_THAT(errors("{unix: /s, access: ro}"),
              HasSubstr("decides access by the peer's credentials"));
  EXPECT_THAT(errors("{port: 7001, rw_groups: [0]}"), HasSubstr("apply to unix listeners"));
  EXPECT_THAT(errors("{unix: /s, rw_groups: [no-such-group-here]}"),
              HasSubstr("no group named 'no-such-group-here'"));
  EXPECT_THAT(errors("{unix: relative.sock}"), HasSubstr("must be an absolute path"));
  EXPECT_THAT(errors("{unix: /" + std::string(120, 'a') + "}"),
              HasSubstr("a Unix socket path must be shorter than 108"));
  EXPECT_THAT(errors("{unix: /s, mode: \"0999\"}"), HasSubstr("must be an octal mode"));
  EXPECT_THAT(errors("{unix: /s}, {unix: /s}"), HasSubstr("/s is already used by"));
}

}  // namespace
}  // namespace ttyhub

namespace ttyhub {
namespace {

TEST(ConfigLoaderSharedDeviceTest, PortsShareADeviceOnlyWhenEachOpensItOnConnect) {
  auto shared = LoadConfigText(
      "ports:\n"
      "  - {name: a, device: /dev/ttyS0, open: on_connect, listen: [{port: 7001}]}\n"
      "  - {name: b, device: /dev/ttyS0, serial: 19200n81, open: on_connect, listen: [{port: "
      "7002}]}\n",
      "t.yaml");
  EXPECT_TRUE(shared.ok()) << shared.status();
  auto mixed = LoadConfigText(
      "ports:\n"
      "  - {name: a, device: /dev/ttyS0, open: on_connect, listen: [{port: 7001}]}\n"
      "  - {name: b, device: /dev/ttyS0, listen: [{port: 7002}]}\n",
      "t.yaml");
  ASSERT_FALSE(mixed.ok());
  EXPECT_THAT(mixed.status().message(), HasSubstr("is already used by port 'a'"));
  EXPECT_THAT(mixed.status().message(), HasSubstr("set open: on_connect on each"));
}

TEST(ConfigLoaderCuseTest, CuseListenersParseAndRefuseWhatDoesNotApply) {
  auto c = Load(R"(ports:
  - name: a
    device: sim:echo
    protocol: telnet
    banner: "hi"
    listen: [{cuse: ttyV0, access: ro}, {port: 7001}]
)");
#ifdef TTYHUB_HAVE_CUSE
  ASSERT_TRUE(c.ok()) << c.status();
  const ListenerConfig& l = c->ports[0].listeners[0];
  EXPECT_TRUE(l.is_cuse());
  EXPECT_EQ(l.cuse_name, "ttyV0");
  EXPECT_EQ(l.access, Access::kReadOnly);
  EXPECT_EQ(l.protocol, Protocol::kRfc2217) << "the device speaks RFC 2217 to its port";
  EXPECT_EQ(l.max_clients, 1u);
  EXPECT_TRUE(l.banner.empty()) << "inherited values that do not apply are ignored";
  EXPECT_EQ(c->ports[0].listeners[1].protocol, Protocol::kTelnet);
  EXPECT_EQ(
      Errors(R"(ports:
  - {name: a, device: sim:echo, listen: [{cuse: x}]}
  - {name: b, device: sim:echo, listen: [{cuse: x}]}
)"),
      "ttyhub.yaml:3:49: ports[1].listen[0].cuse: /dev/x is already used by ttyhub.yaml:2:42: "
      "ports[0].listen[0]");
#else
  EXPECT_NE(c.status().message().find("built without libfuse3"), std::string::npos) << c.status();
#endif
  EXPECT_EQ(Errors(R"(ports:
  - {name: a, device: sim:echo, listen: [{cuse: ../x}]}
)"),
            "ttyhub.yaml:2:49: ports[0].listen[0].cuse: must be a device name such as ttyV0 (the "
            "device is /dev/NAME; up to 64 letters, digits, '.', '_' or '-'), got '../x'");
#ifdef TTYHUB_HAVE_CUSE
  EXPECT_EQ(Errors(R"(ports:
  - {name: a, device: sim:echo, listen: [{cuse: x, banner: hi}]}
)"),
            "ttyhub.yaml:2:60: ports[0].listen[0].banner: does not apply to a cuse listener (its "
            "client is the device itself; cuse listeners take access)");
#endif
}

}  // namespace
}  // namespace ttyhub
