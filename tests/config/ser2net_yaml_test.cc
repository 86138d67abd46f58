// ser2net.yaml, option by option: what each becomes in ttyhub's
// configuration, and each error with its file and line.
#include "config/ser2net_yaml.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "config/ser2net_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::StatusOr<Config> Load(const std::string& text, std::vector<std::string>* notices = nullptr) {
  return LoadSer2netConfig(text, "ser2net.yaml", ConfigFormat::kSer2netYaml, notices);
}

Config Loaded(const std::string& text, std::vector<std::string>* notices = nullptr) {
  absl::StatusOr<Config> c = Load(text, notices);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : Config{};
}

std::string Errors(const std::string& text) {
  absl::StatusOr<Config> c = Load(text);
  EXPECT_FALSE(c.ok()) << "expected an error for:\n" << text;
  return std::string(c.status().message());
}

std::string Notices(const std::string& text) {
  std::vector<std::string> notices;
  Loaded(text, &notices);
  return absl::StrJoin(notices, "\n");
}

// One connection with these accepter, connector and options lines.
std::string Connection(const std::string& accepter, const std::string& connector,
                       const std::string& options = "") {
  std::string s =
      "connection: &con1\n  accepter: " + accepter + "\n  connector: " + connector + "\n";
  if (!options.empty()) s += "  options:\n" + options;
  return s;
}

TEST(Ser2netYamlTest, AMinimalConnection) {
  const Config c = Loaded(Connection("tcp,2000", "serialdev,/dev/ttyS0,115200n81,local"));
  ASSERT_EQ(c.ports.size(), 1u);
  const PortConfig& p = c.ports[0];
  EXPECT_EQ(p.name, "con1");
  EXPECT_EQ(p.device.path, "/dev/ttyS0");
  EXPECT_EQ(p.serial, (SerialSettings{115200, Parity::kNone, 8, 1}));
  EXPECT_TRUE(p.local);
  ASSERT_EQ(p.listeners.size(), 1u);
  EXPECT_EQ(p.listeners[0].port, 2000);
  EXPECT_EQ(p.listeners[0].host, "");
  EXPECT_EQ(p.listeners[0].protocol, Protocol::kRaw);
  EXPECT_EQ(p.listeners[0].max_clients, 1u);
  EXPECT_EQ(p.listeners[0].where, "ser2net.yaml:2: ports[0].listen[0]");
  EXPECT_EQ(p.where, "ser2net.yaml:1: ports[0]");
}

TEST(Ser2netYamlTest, Accepters) {
  auto listeners = [](const std::string& accepter) {
    const Config c = Loaded(Connection(accepter, "serialdev,/dev/ttyS0"));
    return c.ports.empty() ? std::vector<ListenerConfig>{} : c.ports[0].listeners;
  };
  EXPECT_EQ(listeners("telnet,tcp,2000")[0].protocol, Protocol::kTelnet);
  EXPECT_EQ(listeners("telnet(rfc2217),tcp,2000")[0].protocol, Protocol::kRfc2217);
  EXPECT_EQ(listeners("telnet(rfc2217=false),tcp,2000")[0].protocol, Protocol::kTelnet);
  EXPECT_EQ(listeners("tcp,localhost,2000")[0].host, "127.0.0.1");
  EXPECT_EQ(listeners("tcp,127.0.0.1,2000")[0].host, "127.0.0.1");
  EXPECT_EQ(listeners("tcp,::1,2000")[0].host, "::1");
  EXPECT_EQ(listeners("tcp,ipv6,::1,2000")[0].host, "::1");
  EXPECT_EQ(listeners("tcp,ipv6,localhost,2000")[0].host, "::1");
  EXPECT_EQ(listeners("tcp,ipv4,2000")[0].host, "0.0.0.0");
  EXPECT_EQ(listeners("tcp,ipv6,2000")[0].host, "::");
  EXPECT_EQ(listeners("tcp,ipv6n4,2000")[0].host, "");
  EXPECT_EQ(listeners("tcp, [::1], 2000")[0].host, "::1");
  const std::vector<ListenerConfig> two = listeners("tcp,127.0.0.1,2000,::1,2000");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].host, "::1");
  EXPECT_EQ(listeners("tcp,2000,2001").size(), 2u);
  EXPECT_EQ(Errors(Connection("udp,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: udp,2000': 'udp' is not supported: ttyhub listens on "
            "plain TCP, raw, with telnet or with telnet and RFC 2217");
  EXPECT_EQ(Errors(Connection("ssl,tcp,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: ssl,tcp,2000': 'ssl' is not supported: ttyhub listens on "
            "plain TCP, raw, with telnet or with telnet and RFC 2217");
  EXPECT_EQ(Errors(Connection("telnet(winsize),tcp,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: telnet(winsize),tcp,2000': telnet(winsize): telnet "
            "options other than rfc2217 are not supported");
  EXPECT_EQ(Errors(Connection("tcp(nodelay),2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: tcp(nodelay),2000': tcp(nodelay): TCP options are not "
            "supported");
  EXPECT_EQ(Errors(Connection("telnet,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: telnet,2000': '2000' is not supported: ttyhub listens on "
            "plain TCP, raw, with telnet or with telnet and RFC 2217");
  EXPECT_EQ(Errors(Connection("tcp", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: tcp': no port given");
  EXPECT_EQ(Errors(Connection("tcp,ipv4,::1,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: 'accepter: tcp,ipv4,::1,2000': '::1' is not an IPv4 address");
  EXPECT_EQ(Notices(Connection("tcp,localhost,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:2: notice: 'accepter: tcp,localhost,2000': ttyhub listens on 127.0.0.1 "
            "for 'localhost'; ser2net listens on ::1 as well");
}

TEST(Ser2netYamlTest, Connectors) {
  auto port = [](const std::string& connector) {
    const Config c = Loaded(Connection("tcp,2000", connector));
    return c.ports.empty() ? PortConfig{} : c.ports[0];
  };
  EXPECT_EQ(port("serialdev,/dev/ttyS0,19200e71").serial,
            (SerialSettings{19200, Parity::kEven, 7, 1}));
  EXPECT_EQ(port("sdev,/dev/ttyS0,speed=4800o82").serial,
            (SerialSettings{4800, Parity::kOdd, 8, 2}));
  EXPECT_EQ(port("serialdev,/dev/ttyS0,57600").serial,
            (SerialSettings{57600, Parity::kNone, 8, 1}));
  EXPECT_EQ(port("serialdev,/dev/ttyS0, 9600 EVEN 7DATABITS 2STOPBITS").serial,
            (SerialSettings{9600, Parity::kEven, 7, 2}));
  EXPECT_EQ(port("serialdev,/dev/ttyS0,rtscts").serial.flow, FlowControl::kRtsCts);
  EXPECT_EQ(port("serialdev,/dev/ttyS0,xonxoff=true").serial.flow, FlowControl::kXonXoff);
  EXPECT_EQ(port("serialdev,/dev/ttyS0,xonxoff,xonxoff=off").serial.flow, FlowControl::kNone);
  EXPECT_FALSE(port("serialdev,/dev/ttyS0,local=false").local);
  EXPECT_TRUE(port("serialdev,/dev/ttyS0,local").local);
  EXPECT_TRUE(port("serialdev,/dev/ttyS0,hangup-when-done").hangup_when_done);
  EXPECT_TRUE(port("serialdev,/dev/ttyS0,nobreak,custspeed,rs485=off,uucplock").device.path ==
              "/dev/ttyS0");
  const PortConfig echo = port("echo");
  EXPECT_EQ(echo.device.kind, DeviceKind::kSim);
  EXPECT_EQ(echo.device.path, "echo");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0,dtr=off")),
            "ser2net.yaml:3: 'dtr=off' is not supported yet: ttyhub cannot yet force DTR or RTS "
            "when it opens a device (clients can set them over RFC 2217)");
  EXPECT_TRUE(port("serialdev,/dev/lp0,wronly").write_only);
  EXPECT_FALSE(port("serialdev,/dev/lp0,wronly=false").write_only);
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0,rs485=1:2")),
            "ser2net.yaml:3: 'rs485=1:2' is not supported yet: ttyhub cannot yet configure RS-485 "
            "mode");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0,frobnicate")),
            "ser2net.yaml:3: unknown serialdev parameter 'frobnicate'");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev")),
            "ser2net.yaml:3: 'connector: serialdev': expected serialdev,/dev/DEVICE,OPTIONS");
  EXPECT_EQ(Errors(Connection("tcp,2000", "ipmisol,lan 10.0.0.2,9600")),
            "ser2net.yaml:3: 'connector: ipmisol,lan 10.0.0.2,9600': the ipmisol connector is not "
            "supported: ttyhub serves serial devices (serialdev) and its built-in echo device");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0,xonxoff,rtscts")),
            "ser2net.yaml:3: 'rtscts': XONXOFF and RTSCTS together are not supported: ttyhub runs "
            "one kind of flow control per port");
  EXPECT_EQ(Notices(Connection("tcp,2000", "serialdev,/dev/ttyS0,uucplock=false,drain_time=10")),
            "ser2net.yaml:3: notice: 'uucplock=false' is ignored: ttyhub locks every tty device it "
            "opens (UUCP lock and TIOCEXCL); `lock_dir: ''` turns UUCP locks off for all ports\n"
            "ser2net.yaml:3: notice: 'drain_time=10' is ignored: ttyhub's `shutdown_timeout` "
            "bounds how long it flushes on exit");
}

TEST(Ser2netYamlTest, ConnectionKeys) {
  const Config c = Loaded(
      "connection: &con1\n"
      "  Accepter: tcp,2000\n"  // keys in any case, as ser2net reads them
      "  timeout: 90\n"
      "  enable: on\n"
      "  connector: serialdev,/dev/ttyS0\n"
      "connection: &con2\n"
      "  accepter: tcp,2001\n"
      "  enable: off\n"
      "  connector: serialdev,/dev/ttyS1\n");
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].listeners[0].idle_timeout, std::chrono::seconds(90));
  EXPECT_TRUE(c.ports[0].listeners[0].enabled);
  EXPECT_FALSE(c.ports[1].listeners[0].enabled) << "off: configured, and switched off";
  EXPECT_EQ(Notices(Connection("tcp,2000", "serialdev,/dev/ttyS0") +
                    "connection: &off\n  accepter: tcp,2001\n  enable: off\n"
                    "  connector: serialdev,/dev/ttyS1\n"),
            "ser2net.yaml:6: notice: connection 'off' is off in ser2net: its listener is "
            "configured with enabled: false and refuses clients until switched on (ttyhubctl "
            "enable)");
  EXPECT_EQ(Errors("connection: &c\n  accepter: tcp,2000\n  enable: maybe\n"
                   "  connector: serialdev,/dev/ttyS0\n"),
            "ser2net.yaml:3: enable: must be on or off, got 'maybe'");
  EXPECT_EQ(Errors("connection: &c\n  accepter: tcp,2000\n  timeout: soon\n"
                   "  connector: serialdev,/dev/ttyS0\n"),
            "ser2net.yaml:3: timeout: expected a number of seconds, got 'soon'");
  EXPECT_EQ(Errors("connection:\n  accepter: tcp,2000\n  connector: serialdev,/dev/ttyS0\n"),
            "ser2net.yaml:1: connection: needs a name, as in 'connection: &con1'");
  EXPECT_EQ(Errors("connection: &c\n  accepter: tcp,2000\n"),
            "ser2net.yaml:1: connection: no connector given");
  EXPECT_EQ(Errors("connection: &c\n  accepter: tcp,2000\n  connector: serialdev,/dev/ttyS0\n"
                   "  speed: 9600\n"),
            "ser2net.yaml:4: unknown key 'speed' in a connection (ser2net knows accepter, "
            "connector, timeout, enable and options)");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0") +
                   "connection: &con1\n  accepter: tcp,2001\n  connector: serialdev,/dev/ttyS1\n"),
            "ser2net.yaml:4: duplicate connection name 'con1'");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0") +
                   Connection("tcp,2000", "serialdev,/dev/ttyS1")),
            "ser2net.yaml:4: duplicate connection name 'con1'");
}

TEST(Ser2netYamlTest, DefinesAndAliases) {
  const Config c = Loaded(
      "define: &dev /dev/ttyS0\n"
      "define: &b \"port *(dev) \\\\p\"\n"
      "connection: &con1\n"
      "  accepter: tcp,2000\n"
      "  connector: serialdev,*(dev),9600n81\n"
      "  options:\n"
      "    banner: *b\n");
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].device.path, "/dev/ttyS0");
  EXPECT_EQ(c.ports[0].listeners[0].banner, "port /dev/ttyS0 tcp,2000");
  // "*(*" is a literal "*(" (where it is written: a define's text is read
  // again where it is used, by ser2net as here).
  EXPECT_EQ(Loaded(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    banner: 'a *(*b'\n"))
                .ports[0]
                .listeners[0]
                .banner,
            "a *(b");
  EXPECT_EQ(Notices("define: no anchor\n" + Connection("tcp,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:1: notice: 'define:' without an &name defines nothing (ser2net ignores "
            "it)");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,*(nosuch)")),
            "ser2net.yaml:3: unknown alias in *(nosuch)");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    banner: '*{/etc/x}'\n")),
            "ser2net.yaml:5: *{/etc/x} (a file's contents) is not supported: write the value "
            "into the configuration");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    banner: x *(x\n")),
            "ser2net.yaml:5: missing ')' in *(x");
}

TEST(Ser2netYamlTest, Options) {
  const Config c = Loaded(Connection("telnet(rfc2217),tcp,2000", "serialdev,/dev/ttyS0",
                                     "    kickolduser: false\n"
                                     "    max-connections: 0\n"
                                     "    signature: lab\n"
                                     "    openstr: ''\n"
                                     "    closestr:\n"
                                     "    timeout: 30\n"
                                     "    remaddr: ipv4,10.0.0.0/8,0\n"
                                     "    remaddr: 192.168.1.0/24\n"
                                     "    mdns: false\n"
                                     "    no-con-to-acc: false\n"));
  ASSERT_EQ(c.ports.size(), 1u);
  const ListenerConfig& l = c.ports[0].listeners[0];
  EXPECT_EQ(l.max_clients, 1u);  // ser2net reads 0 as 1
  EXPECT_EQ(l.signature, "lab");
  EXPECT_EQ(l.idle_timeout, std::chrono::seconds(30));
  ASSERT_EQ(l.allow.size(), 2u);  // remaddr adds up
  EXPECT_EQ(l.allow[0].text, "10.0.0.0/8");
  EXPECT_EQ(l.allow[1].text, "192.168.1.0/24");
  EXPECT_EQ(Loaded(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    no-acc-to-con: true\n"))
                .ports[0]
                .listeners[0]
                .access,
            Access::kReadOnly);
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0",
                              "    kickolduser: true\n"
                              "    openstr: 'AT\\r'\n"
                              "    closeon: bye\n"
                              "    sendon: '\\n'\n"
                              "    led-rx: *nope\n")),
            "ser2net.yaml:9: YAML syntax error: the referenced anchor is not defined");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0",
                              "    kickolduser: true\n"
                              "    openstr: 'AT\\r'\n"
                              "    closeon: bye\n"
                              "    sendon: '\\n'\n"
                              "    authdir: /etc/auth\n"
                              "    connback: tcp,10.0.0.1,3000\n"
                              "    mdns: true\n"
                              "    no-con-to-acc: true\n"
                              "    frobnicate: 1\n")),
            "ser2net.yaml:7: 'closeon: bye' is not supported yet: ttyhub cannot yet close "
            "connections when the device prints a given string\n"
            "ser2net.yaml:8: 'sendon: \\n' is not supported yet: ttyhub cannot yet hold device "
            "output back until a given string\n"
            "ser2net.yaml:9: 'authdir: /etc/auth' is not supported: ttyhub's listeners have no "
            "authentication; its admin API has tokens\n"
            "ser2net.yaml:10: 'connback: tcp,10.0.0.1,3000' is not supported: ttyhub does not "
            "connect out to clients\n"
            "ser2net.yaml:11: 'mdns: true' is not supported: ttyhub does not announce its ports "
            "over mDNS\n"
            "ser2net.yaml:12: 'no-con-to-acc: true' is not supported: a ttyhub port always sends "
            "the device's output to its clients\n"
            "ser2net.yaml:13: unknown option 'frobnicate: 1'");
  EXPECT_EQ(Notices(Connection("tcp,2000", "serialdev,/dev/ttyS0",
                               "    signature: lab\n"
                               "    accepter-retry-time: 5\n"
                               "    mdns-name: x\n")),
            "ser2net.yaml:5: notice: 'signature: lab' has no effect here: only RFC 2217 clients "
            "ask for a signature\n"
            "ser2net.yaml:6: notice: 'accepter-retry-time: 5' is ignored: ttyhub does not start "
            "if it cannot listen, and reopens a failed device with backoff\n"
            "ser2net.yaml:7: notice: 'mdns-name: x' is ignored: ttyhub does not announce its "
            "ports over mDNS");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    kickolduser: perhaps\n")),
            "ser2net.yaml:5: 'kickolduser: perhaps': expected true or false, got 'perhaps'");
}

TEST(Ser2netYamlTest, Traces) {
  auto log = [](const std::string& options) {
    const Config c = Loaded(Connection("tcp,2000", "serialdev,/dev/ttyS0", options));
    return c.ports.empty() ? ConsoleLogConfig{} : c.ports[0].log;
  };
  ConsoleLogConfig l = log("    trace-read: /var/log/s2n/\\N.log\n");
  EXPECT_TRUE(l.enabled);
  EXPECT_EQ(l.path, "/var/log/s2n/%n.log");
  EXPECT_FALSE(l.timestamps);
  EXPECT_FALSE(l.input);
  l = log("    trace-both: /var/log/s2n/\\N.log\n    trace-timestamp: true\n");
  EXPECT_TRUE(l.input);
  EXPECT_TRUE(l.timestamps);
  EXPECT_FALSE(log("    trace-timestamp: true\n    trace-read-timestamp: false\n"
                   "    trace-read: /var/log/x\n")
                   .timestamps);
  EXPECT_TRUE(log("    trace-read: /var/log/x\n    trace-write: /var/log/x\n").input);
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0",
                              "    trace-read: /var/log/x\n    trace-read-hexdump: true\n")),
            "ser2net.yaml:6: 'trace-read-hexdump: true' is not supported: ttyhub's console log "
            "holds the device's bytes (or lines with timestamps), not a hex dump");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    trace-both:\n")),
            "ser2net.yaml:5: 'trace-both: ': needs a file name");
  // A hexdump flag for a file that is not written is harmless.
  EXPECT_TRUE(
      Load(Connection("tcp,2000", "serialdev,/dev/ttyS0", "    trace-write-hexdump: true\n")).ok());
}

TEST(Ser2netYamlTest, DefaultsAndDeleteDefault) {
  const Config c = Loaded(
      "connection: &before\n  accepter: tcp,2000\n  connector: serialdev,/dev/ttyS0\n"
      "default:\n  name: speed\n  value: 115200n81\n"
      "default:\n  name: speed\n  value: 19200\n  class: serialdev\n"
      "default:\n  name: local\n  value: true\n  class: serialdev\n"
      "default:\n  name: max-connections\n  value: 2\n  class: ser2net\n"
      "default:\n  name: rfc2217\n  value: true\n  class: telnet\n"
      "connection: &classed\n  accepter: telnet,tcp,2001\n  connector: serialdev,/dev/ttyS1\n"
      "delete_default:\n  name: speed\n  class: serialdev\n"
      "connection: &based\n  accepter: tcp,2002\n  connector: serialdev,/dev/ttyS2\n");
  ASSERT_EQ(c.ports.size(), 3u);
  EXPECT_EQ(c.ports[0].serial.baud, 9600u);  // before any default
  EXPECT_FALSE(c.ports[0].local);
  EXPECT_EQ(c.ports[1].serial.baud, 19200u);  // the class's default wins
  EXPECT_TRUE(c.ports[1].local);
  EXPECT_EQ(c.ports[1].listeners[0].max_clients, 2u);
  EXPECT_EQ(c.ports[1].listeners[0].protocol, Protocol::kRfc2217);
  EXPECT_EQ(c.ports[2].serial.baud, 115200u);  // the class's is deleted: the general one
  EXPECT_EQ(c.ports[2].listeners[0].protocol, Protocol::kRaw);
  EXPECT_EQ(Notices("default:\n  name: speed\n  value: 115200\n  class: ipmisol\n" +
                    Connection("tcp,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:1: notice: 'default speed: 115200 (class ipmisol)' is ignored: it is a "
            "default for ipmisol connections or accepters, which ttyhub has none of");
  EXPECT_EQ(
      Errors("delete_default:\n  name: speed\n" + Connection("tcp,2000", "serialdev,/dev/ttyS0")),
      "ser2net.yaml:1: 'delete_default speed': deleting a default needs its class (ser2net "
      "cannot delete a default for every class)");
  const Config kick = Loaded("default:\n  name: kickolduser\n  value: true\n" +
                             Connection("tcp,2000", "serialdev,/dev/ttyS0"));
  EXPECT_TRUE(kick.ports[0].listeners[0].kick_oldest_when_full);
}

TEST(Ser2netYamlTest, TopLevel) {
  EXPECT_EQ(
      Errors("include: /etc/ser2net/*.yaml\n" + Connection("tcp,2000", "serialdev,/dev/ttyS0")),
      "ser2net.yaml:1: 'include:' is not supported yet: put the included connections into "
      "this file");
  EXPECT_EQ(Errors("ports: []\n" + Connection("tcp,2000", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:1: unknown top-level key 'ports' (ser2net knows define, include, "
            "connection, rotator, led, admin, default and delete_default)");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0") +
                   "rotator: &r\n  accepter: tcp,3000\n  connections: [ *con1 ]\n"),
            "ser2net.yaml:4: 'rotator:' is not supported yet: ttyhub has no listener that hands "
            "each client the next free connection of a list");
  EXPECT_EQ(Errors("connection: &c\n  accepter: [tcp]\n"),
            "ser2net.yaml:1: connection: no connector given\n"
            "ser2net.yaml:2: accepter: expected a single value");
  EXPECT_EQ(Errors("connection: &c\n  accepter: tcp,2000\n connector: x\n"),
            "ser2net.yaml:3: YAML syntax error: end of map not found");
  EXPECT_EQ(Errors(Connection("tcp,2000", "serialdev,/dev/ttyS0") + "---\nfoo: 1\n"),
            "ser2net.yaml:5: a second YAML document starts here: ser2net reads one");
  EXPECT_EQ(Errors("# nothing\n"), "ser2net.yaml: is empty: it defines no connection");
}

TEST(Ser2netYamlTest, LedsAndAdmin) {
  std::vector<std::string> notices;
  const Config c = Loaded(
      "led: &led1\n  driver: sysfs\n  options:\n    device: \"tpacpi::standby\"\n"
      "admin:\n  accepter: telnet,tcp,localhost,3000\n" +
          Connection("tcp,2000", "serialdev,/dev/ttyS0"),
      &notices);
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.admin.host, "127.0.0.1");
  EXPECT_EQ(c.admin.port, 3000);
  EXPECT_THAT(
      notices,
      ElementsAre("ser2net.yaml:1: notice: 'led: &led1' is ignored: ttyhub does not flash "
                  "LEDs (a connection that uses it is an error)",
                  HasSubstr("ser2net.yaml:6: notice: 'admin accepter: "
                            "telnet,tcp,localhost,3000': served as ttyhub's HTTP admin API")));
  EXPECT_EQ(Errors("led: &led1\n  driver: sysfs\n" +
                   Connection("tcp,2000", "serialdev,/dev/ttyS0", "    led-tx: *led1\n")),
            "ser2net.yaml:7: 'led-tx: led1' is not supported yet: ttyhub does not flash LEDs on "
            "serial traffic yet");
  EXPECT_EQ(Errors("admin:\n  accepter: mux,certauth,ssl,sctp,2000\n  options:\n"
                   "    pamauth-admin: ser2net\n" +
                   Connection("tcp,2001", "serialdev,/dev/ttyS0")),
            "ser2net.yaml:1: admin: no accepter given\n"
            "ser2net.yaml:2: 'admin accepter: mux,certauth,ssl,sctp,2000': 'mux' is not "
            "supported: ttyhub listens on plain TCP, raw, with telnet or with telnet and RFC 2217\n"
            "ser2net.yaml:4: 'pamauth-admin: ser2net' is not supported: ttyhub's admin API "
            "authenticates with a token (admin: token_file:)");
}

TEST(Ser2netYamlTest, NamesThatAreNotTtyhubPortNames) {
  std::vector<std::string> notices;
  const Config c = Loaded(
      "connection: &rack/3:slot5\n  accepter: tcp,2000\n  connector: serialdev,/dev/ttyS0\n"
      "  options:\n    banner: '\\N'\n",
      &notices);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].name, "rack_3_slot5");
  EXPECT_EQ(c.ports[0].listeners[0].banner, "rack/3:slot5");  // what ser2net prints
  EXPECT_THAT(notices, ElementsAre("ser2net.yaml:1: notice: connection name 'rack/3:slot5' is "
                                   "not a valid ttyhub port name: the port is called "
                                   "'rack_3_slot5'"));
}

}  // namespace
}  // namespace ttyhub
