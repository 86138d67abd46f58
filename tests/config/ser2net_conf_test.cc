// ser2net.conf, option by option: what each becomes in ttyhub's
// configuration, and each error with its file and line.
#include "config/ser2net_conf.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "config/banner.h"
#include "config/ser2net_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::StatusOr<Config> Load(const std::string& text, std::vector<std::string>* notices = nullptr) {
  return LoadSer2netConfig(text, "ser2net.conf", ConfigFormat::kSer2netConf, notices);
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

TEST(Ser2netConfTest, TheSeedsLine) {
  const Config c = Loaded("1001:raw:600:/dev/ttyS0:9600 EVEN\n");
  EXPECT_EQ(c.source, "ser2net.conf");
  ASSERT_EQ(c.ports.size(), 1u);
  const PortConfig& p = c.ports[0];
  EXPECT_EQ(p.name, "ttyS0");
  EXPECT_EQ(p.device.kind, DeviceKind::kTty);
  EXPECT_EQ(p.device.path, "/dev/ttyS0");
  EXPECT_EQ(p.serial, (SerialSettings{9600, Parity::kEven, 8, 1, FlowControl::kNone}));
  EXPECT_FALSE(p.local);  // ser2net watches the modem lines unless told LOCAL
  EXPECT_FALSE(p.hangup_when_done);
  EXPECT_FALSE(p.log.enabled);
  ASSERT_EQ(p.listeners.size(), 1u);
  const ListenerConfig& l = p.listeners[0];
  EXPECT_EQ(l.host, "");
  EXPECT_EQ(l.port, 1001);
  EXPECT_EQ(l.protocol, Protocol::kRaw);
  EXPECT_EQ(l.access, Access::kReadWrite);
  EXPECT_EQ(l.idle_timeout, std::chrono::seconds(600));
  EXPECT_EQ(l.max_clients, 1u);  // ser2net's default max-connections
  EXPECT_EQ(l.banner, "");
  EXPECT_EQ(l.where, "ser2net.conf:1: ports[0].listen[0]");
  EXPECT_FALSE(c.admin.enabled);
}

TEST(Ser2netConfTest, EveryOptionTheSeedLists) {
  std::vector<std::string> notices;
  const Config c = Loaded(
      "2001:raw:0:/dev/ttyS0:9600 EVEN 1STOPBIT 8DATABITS XONXOFF LOCAL -RTSCTS "
      "HANGUP_WHEN_DONE NOBREAK\n",
      &notices);
  ASSERT_EQ(c.ports.size(), 1u);
  const PortConfig& p = c.ports[0];
  EXPECT_EQ(p.serial, (SerialSettings{9600, Parity::kEven, 8, 1, FlowControl::kXonXoff}));
  EXPECT_TRUE(p.local);
  EXPECT_TRUE(p.hangup_when_done);
  EXPECT_EQ(p.listeners[0].idle_timeout, std::chrono::seconds(0));
  EXPECT_THAT(notices, IsEmpty());  // NOBREAK is what ttyhub does anyway
}

TEST(Ser2netConfTest, SerialWords) {
  auto serial = [](const std::string& options) {
    const Config c = Loaded("2000:raw:0:/dev/ttyS0:" + options + "\n");
    return c.ports.empty() ? SerialSettings{} : c.ports[0].serial;
  };
  EXPECT_EQ(serial("115200 ODD 7DATABITS 2STOPBITS"),
            (SerialSettings{115200, Parity::kOdd, 7, 2, FlowControl::kNone}));
  EXPECT_EQ(serial("300 mark 5DATABITS"), (SerialSettings{300, Parity::kMark, 5, 1}));
  EXPECT_EQ(serial("space"), (SerialSettings{9600, Parity::kSpace, 8, 1}));
  EXPECT_EQ(serial("38400E71"), (SerialSettings{38400, Parity::kEven, 7, 1}));  // ser2net 4
  EXPECT_EQ(serial("RTSCTS").flow, FlowControl::kRtsCts);
  EXPECT_EQ(serial("XONXOFF -XONXOFF").flow, FlowControl::kNone);  // the last one counts
  EXPECT_FALSE(Loaded("2000:raw:0:/dev/ttyS0:LOCAL -LOCAL\n").ports[0].local);
  EXPECT_FALSE(Loaded("2000:raw:0:/dev/ttyS0:HANGUP_WHEN_DONE -HANGUP_WHEN_DONE\n")
                   .ports[0]
                   .hangup_when_done);
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:XONXOFF RTSCTS\n"),
            "ser2net.conf:1: 'RTSCTS': XONXOFF and RTSCTS together are not supported: ttyhub runs "
            "one kind of flow control per port");
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:9600X81\n"),
            "ser2net.conf:1: '9600X81': unknown parity 'X' (use N, E, O, M or S)");
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:20000000\n"),
            "ser2net.conf:1: '20000000': baud rate 20000000 is out of range (50 to 12000000)");
}

TEST(Ser2netConfTest, States) {
  const Config c = Loaded(
      "2000:raw:0:/dev/ttyS0:\n"
      "2001:telnet:0:/dev/ttyS1:\n"
      "2002:telnet:0:/dev/ttyS2:remctl\n"
      "2003:on:0:/dev/ttyS3:\n");
  ASSERT_EQ(c.ports.size(), 4u);
  EXPECT_EQ(c.ports[0].listeners[0].protocol, Protocol::kRaw);
  EXPECT_EQ(c.ports[1].listeners[0].protocol, Protocol::kTelnet);
  EXPECT_EQ(c.ports[2].listeners[0].protocol, Protocol::kRfc2217);
  EXPECT_EQ(c.ports[3].listeners[0].protocol, Protocol::kRaw);  // ser2net 4's "on"
  EXPECT_EQ(Notices("2000:raw:0:/dev/ttyS0:remctl\n"),
            "ser2net.conf:1: notice: 'remctl' has no effect on a raw port: RFC 2217 runs over "
            "telnet (ser2net ignores it there too)");
}

TEST(Ser2netConfTest, OffIsConfiguredAndSwitchedOff) {
  std::vector<std::string> notices;
  const Config c = Loaded("2000:off:0:/dev/ttyS0:\n2001:raw:0:/dev/ttyS1:\n", &notices);
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].name, "ttyS0");
  EXPECT_FALSE(c.ports[0].listeners[0].enabled);
  EXPECT_TRUE(c.ports[1].listeners[0].enabled);
  EXPECT_THAT(notices, ElementsAre("ser2net.conf:1: notice: port 2000 is off in ser2net: its "
                                   "listener is configured with enabled: false and refuses "
                                   "clients until switched on (ttyhubctl enable)"));
  const Config only_off = Loaded("2000:off:0:/dev/ttyS0:\n");
  ASSERT_EQ(only_off.ports.size(), 1u);
  EXPECT_FALSE(only_off.ports[0].listeners[0].enabled);
}

TEST(Ser2netConfTest, RawlpIsWriteOnly) {
  const Config c = Loaded("# printers\n5001:rawlp:10:/dev/lp0\n");
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_TRUE(c.ports[0].write_only);
  EXPECT_EQ(c.ports[0].device.path, "/dev/lp0");
  EXPECT_EQ(c.ports[0].listeners[0].protocol, Protocol::kRaw);
  EXPECT_FALSE(Loaded("5001:raw:10:/dev/lp0\n").ports[0].write_only);
}

TEST(Ser2netConfTest, PortSpecs) {
  auto listener = [](const std::string& spec) {
    const Config c = Loaded(spec + ":raw:0:/dev/ttyS0:\n");
    return c.ports.empty() ? ListenerConfig{} : c.ports[0].listeners[0];
  };
  EXPECT_EQ(listener("127.0.0.1,2000").host, "127.0.0.1");
  EXPECT_EQ(listener("localhost,2000").host, "127.0.0.1");
  EXPECT_EQ(listener("ipv4,2000").host, "0.0.0.0");
  EXPECT_EQ(listener("ipv6,2000").host, "::");
  EXPECT_EQ(listener("ipv6,::1,2000").host, "::1");
  EXPECT_EQ(listener("::1,2000").host, "::1");
  EXPECT_EQ(listener("tcp,2000").port, 2000);
  EXPECT_EQ(listener("ipv4,tcp,10.1.2.3,2000").host, "10.1.2.3");
  EXPECT_EQ(Notices("localhost,2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: notice: 'localhost,2000': ttyhub listens on 127.0.0.1 for "
            "'localhost'; ser2net listens on ::1 as well");
  EXPECT_EQ(Errors("myhost,2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: 'myhost,2000': ttyhub listens on numeric addresses: give the address "
            "of 'myhost' (or localhost, or no host for every interface)");
  EXPECT_EQ(Errors("udp,2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: 'udp,2000': UDP is not supported: ttyhub listens on TCP");
  EXPECT_THAT(Errors("0:raw:0:/dev/ttyS0:\n"), HasSubstr("'0': port 0 (ser2net: a random port, "
                                                         "or stdin and stdout) is not supported"));
  EXPECT_EQ(Errors("70000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: '70000': expected a TCP port number (1 to 65535), got '70000'");
  EXPECT_EQ(Errors("ipv6,10.0.0.1,2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: 'ipv6,10.0.0.1,2000': '10.0.0.1' is not an IPv6 address");
}

TEST(Ser2netConfTest, MalformedLines) {
  EXPECT_THAT(Errors("2000:rwa:0:/dev/ttyS0:\n"),
              HasSubstr("ser2net.conf:1: '2000:rwa:0:/dev/ttyS0:' is not a ser2net.conf line"));
  EXPECT_EQ(Errors("2000:raw:ten:/dev/ttyS0:\n"),
            "ser2net.conf:1: timeout: expected a number of seconds, got 'ten'");
  EXPECT_EQ(Errors("2000:raw:0:ttyS0:\n"),
            "ser2net.conf:1: device 'ttyS0': expected an absolute path such as /dev/ttyS0 (or a "
            "DEVICE name defined above)");
  EXPECT_EQ(Errors("2000:raw:0:sol.lan 10.0.0.2\n"),
            "ser2net.conf:1: 'sol.lan 10.0.0.2': IPMI Serial over LAN is not supported: ttyhub "
            "serves serial devices");
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:9600 tw:t1 bogus\n"),
            "ser2net.conf:1: unknown option 'tw:t1' (did you mean tw=t1?)\n"
            "ser2net.conf:1: unknown option 'bogus'");
  EXPECT_EQ(Errors("ROTATOR:r:2000 2001\n2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: ROTATOR is not supported yet: ttyhub has no listener that hands each "
            "client the next free port of a list");
  EXPECT_EQ(Errors(""), "ser2net.conf: defines no connection: ttyhub needs at least one port");
}

TEST(Ser2netConfTest, CommentsBlankLinesAndLineEndings) {
  const Config c = Loaded(
      "# a comment\r\n"
      "\r\n"
      "   \t\r\n"
      "   # an indented comment\r\n"
      "2000:raw:0:/dev/ttyS0:EVEN\r\n"
      "#2001:raw:0:/dev/ttyS1:\r\n");
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].serial.parity, Parity::kEven);
  EXPECT_EQ(c.ports[0].where, "ser2net.conf:5: ports[0]");
}

TEST(Ser2netConfTest, BannersContinuationLinesAndEscapes) {
  const Config c = Loaded(
      "BANNER:b1:Welcome to port \\p device \\d\\r\\n\\\n"
      "second line \\\n"
      "third line (\\s)\\r\\n\n"
      "3001:telnet:0:/dev/ttyS0:19200 b1\n");
  ASSERT_EQ(c.ports.size(), 1u);
  const ListenerConfig& l = c.ports[0].listeners[0];
  EXPECT_EQ(l.banner, "Welcome to port \\p device \\d\\r\\nsecond line third line (\\s)\\r\\n");
  BannerContext ctx;
  ctx.device = "/dev/ttyS0";
  ctx.tcp_port = 3001;
  ctx.serial = "19200N81";
  EXPECT_EQ(*ExpandBanner(l.banner, ctx),
            "Welcome to port 3001 device /dev/ttyS0\r\nsecond line third line (19200N81)\r\n");
  // A banner is found only if it is defined above the line that uses it.
  EXPECT_EQ(Errors("3001:telnet:0:/dev/ttyS0:b1\nBANNER:b1:hello\n"),
            "ser2net.conf:1: 'b1': BANNER:b1 is defined only later, on line 2; ser2net reads the "
            "file from the top");
  EXPECT_EQ(Errors("BANNER:b1:at \\H:\\i\\r\\n\n3001:telnet:0:/dev/ttyS0:b1\n"),
            "ser2net.conf:2: 'b1, BANNER on line 1': \\H (a time) is not supported yet in ttyhub "
            "banners: they are the same for every client");
}

TEST(Ser2netConfTest, SignatureOpenstrClosestrCloseon) {
  const Config c = Loaded("SIGNATURE:s1:lab server\n2000:telnet:0:/dev/ttyS0:remctl s1\n");
  EXPECT_EQ(c.ports[0].listeners[0].signature, "lab server");
  EXPECT_EQ(Notices("SIGNATURE:s1:lab\n2000:raw:0:/dev/ttyS0:s1\n"),
            "ser2net.conf:2: notice: 's1, SIGNATURE on line 1' has no effect here: only RFC 2217 "
            "clients ask for a signature");
  // openstr and closestr: sent when the first client opens the device and
  // the last one's leaving closes it, as ser2net sends them.
  std::vector<std::string> notices;
  const Config strings =
      Loaded("OPENSTR:o:ATZ \\p\\r\nCLOSESTR:c:ATH\\r\n2000:raw:0:/dev/ttyS0:o c\n", &notices);
  ASSERT_EQ(strings.ports.size(), 1u);
  EXPECT_EQ(strings.ports[0].open_string, "ATZ \\p\\r");
  EXPECT_EQ(strings.ports[0].close_string, "ATH\\r");
  EXPECT_TRUE(strings.ports[0].open_on_connect);
  EXPECT_THAT(notices, ElementsAre("ser2net.conf:3: notice: 'o, OPENSTR on line 1': the port's "
                                   "device is open only while clients are connected (open: "
                                   "on_connect), as in ser2net, so that the string is sent when "
                                   "ser2net sends it"));
  EXPECT_FALSE(Loaded("2000:raw:0:/dev/ttyS0:\n").ports[0].open_on_connect);
  EXPECT_EQ(Errors("CLOSEON:x:\\x04\n2000:raw:0:/dev/ttyS0:x\n"),
            "ser2net.conf:2: 'x, CLOSEON on line 1' is not supported yet: ttyhub cannot yet close "
            "connections when the device prints a given string");
  EXPECT_EQ(Errors("OPENSTR:o:at \\H\n2000:raw:0:/dev/ttyS0:o\n"),
            "ser2net.conf:2: 'o, OPENSTR on line 1': \\H (a time) is not supported yet in ttyhub "
            "banners: they are the same for every client");
}

TEST(Ser2netConfTest, Tracefiles) {
  const std::string defs =
      "TRACEFILE:t1:/var/log/ser2net/t1-\\p.log\n"
      "TRACEFILE:t2:/var/log/ser2net/t2-\\p.log\n";
  auto log = [&](const std::string& options) {
    const Config c = Loaded(defs + "2007:raw:0:/dev/ttyS6:" + options + "\n");
    return c.ports.empty() ? ConsoleLogConfig{} : c.ports[0].log;
  };
  ConsoleLogConfig tr = log("tr=t1");
  EXPECT_TRUE(tr.enabled);
  EXPECT_EQ(tr.path, "/var/log/ser2net/t1-2007.log");
  EXPECT_FALSE(tr.timestamps);  // ser2net's traces are the bare bytes
  EXPECT_FALSE(tr.input);
  EXPECT_EQ(tr.rotate_bytes, 0u);
  EXPECT_TRUE(log("tb=t1").input);
  EXPECT_TRUE(log("tr=t1 tw=t1").input);  // both directions into one file
  EXPECT_TRUE(log("tr=t1 timestamp").timestamps);
  EXPECT_TRUE(log("tr=t1 tr-timestamp").timestamps);
  EXPECT_FALSE(log("tr=t1 tw-timestamp").timestamps);
  EXPECT_FALSE(log("timestamp -tr-timestamp tr=t1").timestamps);  // order matters, as in ser2net
  EXPECT_EQ(Notices(defs + "2007:raw:0:/dev/ttyS6:tb=t1\n"),
            "ser2net.conf:3: notice: 'tb=t1, TRACEFILE on line 1': ttyhub writes what clients "
            "type on lines of their own marked [input], between the device's lines; ser2net "
            "writes both directions' bytes as they come");
  EXPECT_EQ(Errors(defs + "2007:raw:0:/dev/ttyS6:tw=t1\n"),
            "ser2net.conf:3: 'tw=t1, TRACEFILE on line 1' is not supported: ttyhub logs what "
            "clients write only together with what the device prints (log: {input: true}); trace "
            "both directions to one file instead");
  EXPECT_EQ(Errors(defs + "2007:raw:0:/dev/ttyS6:tw=t1 tr=t2\n"),
            "ser2net.conf:3: 'tw=t1, TRACEFILE on line 1' and 'tr=t2, TRACEFILE on line 2' name "
            "two files: not supported: ttyhub keeps one console log per port; trace both "
            "directions to one file instead");
  EXPECT_EQ(Errors(defs + "2007:raw:0:/dev/ttyS6:tr=t1 hexdump\n"),
            "ser2net.conf:3: 'hexdump' is not supported: ttyhub's console log holds the device's "
            "bytes (or lines with timestamps), not a hex dump");
  EXPECT_EQ(Errors(defs + "2007:raw:0:/dev/ttyS6:tr=t3\n"),
            "ser2net.conf:3: 'tr=t3': there is no TRACEFILE:t3");
  EXPECT_EQ(Errors("TRACEFILE:t:trace.log\n2007:raw:0:/dev/ttyS6:tr=t\n"),
            "ser2net.conf:2: 'tr=t, TRACEFILE on line 1': as a ttyhub log path 'trace.log': must "
            "be an absolute path such as /var/log/ttyhub/%n.log, got 'trace.log'");
  // Two ports, one TRACEFILE without \p: the native loader's error, at the lines.
  EXPECT_EQ(Errors("TRACEFILE:t:/var/log/trace\n2000:raw:0:/dev/ttyS0:tr=t\n"
                   "2001:raw:0:/dev/ttyS1:tr=t\n"),
            "ser2net.conf:3: ports[1].log.path: port 'ttyS1' would log to /var/log/trace as port "
            "'ttyS0' does; put %n (the port name) in the path");
}

TEST(Ser2netConfTest, Defaults) {
  const Config c = Loaded(
      "2000:raw:0:/dev/ttyS0:\n"
      "DEFAULT:speed:115200\n"
      "DEFAULT:parity:EVEN\n"
      "DEFAULT:databits:7\n"
      "DEFAULT:stopbits:2\n"
      "DEFAULT:local:true\n"
      "DEFAULT:hangup_when_done:true\n"
      "DEFAULT:max-connections:3\n"
      "DEFAULT:remctl:true\n"
      "2001:telnet:0:/dev/ttyS1:\n"
      "2002:telnet:0:/dev/ttyS2:9600 -LOCAL max-connections=1 -remctl\n");
  ASSERT_EQ(c.ports.size(), 3u);
  EXPECT_EQ(c.ports[0].serial, (SerialSettings{9600, Parity::kNone, 8, 1}));  // before them
  EXPECT_EQ(c.ports[1].serial, (SerialSettings{115200, Parity::kEven, 7, 2}));
  EXPECT_TRUE(c.ports[1].local);
  EXPECT_TRUE(c.ports[1].hangup_when_done);
  EXPECT_EQ(c.ports[1].listeners[0].max_clients, 3u);
  EXPECT_EQ(c.ports[1].listeners[0].protocol, Protocol::kRfc2217);
  EXPECT_EQ(c.ports[2].serial.baud, 9600u);
  EXPECT_FALSE(c.ports[2].local);
  EXPECT_EQ(c.ports[2].listeners[0].max_clients, 1u);
  EXPECT_EQ(c.ports[2].listeners[0].protocol, Protocol::kTelnet);
  // A default applies to every port after it; -kickolduser undoes it.
  const Config kick = Loaded(
      "DEFAULT:kickolduser:true\n2000:raw:0:/dev/ttyS0:\n2001:raw:0:/dev/ttyS1:-kickolduser\n");
  ASSERT_EQ(kick.ports.size(), 2u);
  EXPECT_TRUE(kick.ports[0].listeners[0].kick_oldest_when_full);
  EXPECT_FALSE(kick.ports[1].listeners[0].kick_oldest_when_full);
  // A default that needs what ttyhub lacks is one error, at its line, for
  // however many ports inherit it.
  EXPECT_EQ(Errors("DEFAULT:telnet_brk_on_sync:true\n2000:telnet:0:/dev/ttyS0:\n"
                   "2001:telnet:0:/dev/ttyS1:\n"),
            "ser2net.conf:1: 'DEFAULT:telnet_brk_on_sync:true' is not supported yet: ttyhub does "
            "not send a break on a telnet SYNC");
  EXPECT_EQ(Notices("DEFAULT:chardelay-scale:25\n2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: notice: 'DEFAULT:chardelay-scale:25' is ignored: ttyhub sends what "
            "the device prints to clients as soon as it has read it");
  EXPECT_EQ(Errors("DEFAULT:nosuch:1\n2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: unknown option 'DEFAULT:nosuch:1'");
  EXPECT_EQ(Errors("DEFAULT:speed:fast\n2000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: 'DEFAULT:speed:fast': expected a speed such as 9600 or 9600n81");
}

TEST(Ser2netConfTest, OptionsThatMeanNothingInTtyhubGetANotice) {
  EXPECT_EQ(Notices("2000:raw:0:/dev/ttyS0:chardelay-scale=25 -chardelay dev-to-net-bufsize=128 "
                    "net-to-dev-bufsize=128 telnet_brk_on_sync\n"),
            "ser2net.conf:1: notice: 'chardelay-scale=25' is ignored: ttyhub sends what the device "
            "prints to clients as soon as it has read it\n"
            "ser2net.conf:1: notice: '-chardelay' is ignored: ttyhub sends what the device prints "
            "to clients as soon as it has read it\n"
            "ser2net.conf:1: notice: 'dev-to-net-bufsize=128' is ignored: ttyhub's transfer "
            "buffers are its own (the port's ring is `buffer:`)\n"
            "ser2net.conf:1: notice: 'net-to-dev-bufsize=128' is ignored: ttyhub's transfer "
            "buffers are its own (the port's ring is `buffer:`)\n"
            "ser2net.conf:1: notice: 'telnet_brk_on_sync' has no effect on a raw port (as in "
            "ser2net): there is no telnet SYNC");
  EXPECT_EQ(Errors("2000:telnet:0:/dev/ttyS0:telnet_brk_on_sync\n"),
            "ser2net.conf:1: 'telnet_brk_on_sync' is not supported yet: ttyhub does not send a "
            "break on a telnet SYNC");
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:chardelay-scale=x\n"),
            "ser2net.conf:1: 'chardelay-scale=x': expected a whole number, got 'x'");
}

TEST(Ser2netConfTest, KickolduserMaxConnectionsRemaddrLeds) {
  std::vector<std::string> notices;
  const Config kick = Loaded("2000:raw:0:/dev/ttyS0:kickolduser\n", &notices);
  EXPECT_TRUE(kick.ports[0].listeners[0].kick_oldest_when_full);
  EXPECT_THAT(notices, IsEmpty());
  EXPECT_EQ(Notices("2000:raw:0:/dev/ttyS0:kickolduser max-connections=3\n"),
            "ser2net.conf:1: notice: 'kickolduser': when the listener is full, ttyhub disconnects "
            "the longest-connected client for the new one; ser2net disconnects them all");
  const Config c = Loaded("2000:raw:0:/dev/ttyS0:max-connections=5 remaddr=10.0.0.0/8,0;::1\n");
  EXPECT_EQ(c.ports[0].listeners[0].max_clients, 5u);
  ASSERT_EQ(c.ports[0].listeners[0].allow.size(), 2u);
  EXPECT_EQ(c.ports[0].listeners[0].allow[0].text, "10.0.0.0/8");
  EXPECT_EQ(c.ports[0].listeners[0].allow[1].text, "::1");
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:remaddr=10.0.0.1,22\n"),
            "ser2net.conf:1: '10.0.0.1,22' is not supported: ttyhub's allow: lists match client "
            "addresses, not client ports (use port 0)");
  EXPECT_EQ(Errors("2000:raw:0:/dev/ttyS0:remaddr=!10.0.0.1,22\n"),
            "ser2net.conf:1: '!10.0.0.1,22' is not supported: ttyhub does not connect out to "
            "clients (a '!' connect-back address)");
  // The native loader checks the networks; its error names the ser2net line.
  EXPECT_THAT(Errors("2000:raw:0:/dev/ttyS0:remaddr=10.1.2.3/8\n"),
              HasSubstr("ser2net.conf:1: ports[0].listen[0].allow[0]: '10.1.2.3/8' has host bits "
                        "set"));
  EXPECT_EQ(Errors("LED:l1:sysfs:device=x\n2000:raw:0:/dev/ttyS0:led-rx=l1\n"),
            "ser2net.conf:2: 'led-rx=l1' is not supported yet: ttyhub does not flash LEDs on "
            "serial traffic yet");
}

TEST(Ser2netConfTest, OneDeviceOnSeveralPorts) {
  std::vector<std::string> notices;
  const Config c = Loaded(
      "BANNER:b:hi \\p\\r\\n\n"
      "3001:telnet:0:/dev/ttyS0:19200 remctl\n"
      "3011:telnet:3:/dev/ttyS0:19200 b\n",
      &notices);
  ASSERT_EQ(c.ports.size(), 1u);
  ASSERT_EQ(c.ports[0].listeners.size(), 2u);
  EXPECT_EQ(c.ports[0].listeners[0].protocol, Protocol::kRfc2217);
  EXPECT_EQ(c.ports[0].listeners[0].banner, "");
  EXPECT_EQ(c.ports[0].listeners[1].port, 3011);
  EXPECT_EQ(c.ports[0].listeners[1].protocol, Protocol::kTelnet);
  EXPECT_EQ(c.ports[0].listeners[1].idle_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c.ports[0].listeners[1].banner, "hi \\p\\r\\n");
  EXPECT_EQ(c.ports[0].listeners[1].where, "ser2net.conf:3: ports[0].listen[1]");
  EXPECT_THAT(notices, ElementsAre(HasSubstr("ser2net.conf:3: notice: port 3011 uses /dev/ttyS0 "
                                             "as port 3001 on line 2 does: it becomes another "
                                             "listener of port 'ttyS0'")));
  // Other settings on one device: ports of their own that share it
  // ser2net's way, each opening it on connect.
  notices.clear();
  const Config shared =
      Loaded("3001:telnet:0:/dev/ttyS0:19200\n3011:raw:0:/dev/ttyS0:9600 LOCAL\n", &notices);
  ASSERT_EQ(shared.ports.size(), 2u);
  EXPECT_EQ(shared.ports[0].device.path, "/dev/ttyS0");
  EXPECT_EQ(shared.ports[1].device.path, "/dev/ttyS0");
  EXPECT_EQ(shared.ports[0].serial.baud, 19200u);
  EXPECT_EQ(shared.ports[1].serial.baud, 9600u);
  EXPECT_TRUE(shared.ports[0].open_on_connect);
  EXPECT_TRUE(shared.ports[1].open_on_connect);
  EXPECT_THAT(notices, Contains(HasSubstr("ser2net.conf:2: notice: its device is also used by "
                                          "another connection with other settings")));
}

TEST(Ser2netConfTest, DuplicateTcpPortsAreReportedAtTheirLines) {
  EXPECT_EQ(Errors("# two\n2000:raw:0:/dev/ttyS0:\n2000:raw:0:/dev/ttyS1:\n"),
            "ser2net.conf:3: ports[1].listen[0].port: TCP port 2000 is already used by "
            "ser2net.conf:2: ports[0].listen[0]");
}

TEST(Ser2netConfTest, DeviceNames) {
  const Config c = Loaded(
      "DEVICE:console1:/dev/serial/by-id/usb-FTDI_A50285BI-if00-port0\n"
      "BANNER:b:\\o on \\d\n"
      "2000:raw:0:console1:b\n"
      "2001:raw:0:/dev/serial/by-id/usb-FTDI_B1-if00-port0:\n");
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].name, "console1");
  EXPECT_EQ(c.ports[0].device.path, "/dev/serial/by-id/usb-FTDI_A50285BI-if00-port0");
  EXPECT_EQ(c.ports[0].listeners[0].banner, "console1 on \\d");
  EXPECT_EQ(c.ports[1].name, "usb-FTDI_B1-if00-port0");
}

TEST(Ser2netConfTest, ControlPortBecomesTheAdminApi) {
  std::vector<std::string> notices;
  Config c = Loaded("CONTROLPORT:localhost,2000\n3000:raw:0:/dev/ttyS0:\n", &notices);
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.admin.host, "127.0.0.1");
  EXPECT_EQ(c.admin.port, 2000);
  EXPECT_EQ(c.admin.token, "");
  EXPECT_THAT(notices, ElementsAre("ser2net.conf:1: notice: 'CONTROLPORT:localhost,2000': served "
                                   "as ttyhub's HTTP admin API (metrics, JSON, ttyhubctl), not "
                                   "ser2net's text commands, on 127.0.0.1 only (ser2net also "
                                   "listens on ::1)"));
  notices.clear();
  c = Loaded("CONTROLPORT:2000\nCONTROLPORT:2001\n3000:raw:0:/dev/ttyS0:\n", &notices);
  EXPECT_EQ(c.admin.host, "0.0.0.0");
  EXPECT_EQ(c.admin.port, 2000);
  EXPECT_THAT(notices, ElementsAre(HasSubstr("it has no token, as ser2net's control port had no "
                                             "password: add admin.token_file to require one"),
                                   "ser2net.conf:2: notice: 'CONTROLPORT:2001' is ignored: "
                                   "ser2net uses the first CONTROLPORT (line 1)"));
  EXPECT_EQ(Errors("CONTROLPORT:3000\n3000:raw:0:/dev/ttyS0:\n"),
            "ser2net.conf:1: admin.listen: TCP port 3000 is already used by ser2net.conf:2: "
            "ports[0].listen[0]");
}

TEST(Ser2netConfTest, ErrorsOfContinuedLinesNameTheirFirstLine) {
  EXPECT_EQ(Errors("# x\n2000:raw:0:/dev/ttyS0:9600 \\\n  EVEN \\\n  bogus\n"),
            "ser2net.conf:2: unknown option 'bogus'");
}

}  // namespace
}  // namespace ttyhub
