// One ser2net connection as read from a ser2net configuration, before it is
// mapped onto ttyhub's configuration.
//
// Both ser2net formats fill this same model: a ser2net.conf port line
// (config/ser2net_conf.h) and a ser2net.yaml `connection:` (ser2net_yaml.h).
// config/ser2net_mapping.h then turns a list of them into a ttyhub
// configuration. Every value remembers the line it came from (a port line, a
// DEFAULT line, a BANNER line, a `default:` block...), so that errors and the
// comments of `ttyhub convert` name it. Plain data; runs on the main thread
// with the rest of configuration loading.
#ifndef TTYHUB_CONFIG_SER2NET_CONNECTION_H_
#define TTYHUB_CONFIG_SER2NET_CONNECTION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/serial_settings.h"

namespace ttyhub {

// The two dialects differ in what some escapes mean (\p, \d, \s, \B, \N, \o):
// see config/ser2net_strings.h.
enum class Ser2netDialect : uint8_t {
  kConf,  // ser2net 3's ser2net.conf (also read by ser2net 4, "old style")
  kYaml,  // ser2net 4's ser2net.yaml
};

// Where a value came from. line 0: ser2net's built-in default, and `text`
// says which (for comments such as "ser2net's default max-connections").
struct Ser2netOrigin {
  int line = 0;      // 1-based line in the source file; 0: built in
  std::string text;  // a short excerpt of that line, or what the default is
};

template <typename T>
struct Ser2netSetting {
  T value{};
  Ser2netOrigin origin;

  void Set(T v, Ser2netOrigin o) {
    value = std::move(v);
    origin = std::move(o);
  }
};

// A trace file of one direction (ser2net's tr/tw/tb, trace-read/-write/-both).
struct Ser2netTrace {
  Ser2netSetting<std::string> file;  // ser2net's file name template; "" = no trace
  Ser2netSetting<bool> hexdump;
  Ser2netSetting<bool> timestamp;
};

// One address a connection accepts on.
struct Ser2netAddress {
  std::string host;  // ttyhub's form: "" every interface, "0.0.0.0", "::", "127.0.0.1", "::1"
  uint16_t port = 0;
  bool localhost = false;  // written as the name "localhost" (ser2net binds ::1 as well)
};

struct Ser2netConnection {
  Ser2netOrigin origin;  // the port line, or the `connection:` key
  int last_line = 0;     // its last line (continuation lines, the YAML mapping's end)
  std::string name;      // ser2net.yaml: the connection's alias; ser2net.conf: ""
  Ser2netSetting<bool> enabled;

  // Accepter.
  std::string accepter_text;           // as written: "1001", "localhost,2000", "telnet,tcp,2000"
  bool accepter_is_bare_port = false;  // accepter_text is just a TCP port number
  Ser2netOrigin accepter_origin;
  std::vector<Ser2netAddress> addresses;
  Ser2netSetting<bool> telnet;   // telnet state / telnet accepter
  Ser2netSetting<bool> rfc2217;  // remctl / telnet(rfc2217)
  Ser2netSetting<uint64_t> timeout_seconds;

  // Connector: the device.
  std::string device;          // the path (after DEVICE substitution); "" if echo
  bool echo = false;           // ser2net.yaml `connector: echo`
  std::string device_alias;    // ser2net.conf DEVICE name used, for \o; "" if none
  std::string connector_text;  // ser2net.yaml: the connector string, for \d
  Ser2netOrigin device_origin;
  Ser2netSetting<uint32_t> baud;
  Ser2netSetting<Parity> parity;
  Ser2netSetting<uint8_t> data_bits;
  Ser2netSetting<uint8_t> stop_bits;
  Ser2netSetting<bool> xonxoff;
  Ser2netSetting<bool> rtscts;
  Ser2netSetting<bool> local;
  Ser2netSetting<bool> hangup_when_done;
  Ser2netSetting<bool> nobreak;
  Ser2netSetting<bool> write_only;  // rawlp / wronly: written to only, line settings untouched

  // ser2net options whose meaning depends on the rest of the connection, or
  // that need engine support; everything else is handled as it is read.
  Ser2netSetting<bool> kickolduser;
  Ser2netSetting<bool> telnet_brk_on_sync;
  Ser2netSetting<bool> read_only;  // ser2net.yaml no-acc-to-con: client input is discarded
  Ser2netSetting<uint32_t> max_connections;
  // remaddr, as ttyhub `allow:` networks ("10.0.0.0/8", "::1"). A
  // connection's own remaddr replaces the default's; several add up.
  Ser2netSetting<std::vector<std::string>> remaddr;
  bool remaddr_own = false;               // set by the connection, not (only) by a default
  Ser2netSetting<std::string> banner;     // ser2net's text, escapes untranslated; "" = none
  Ser2netSetting<std::string> signature;  // "" = ttyhub's default
  Ser2netSetting<std::string> openstr;    // "" = none
  Ser2netSetting<std::string> closestr;   // "" = none
  Ser2netTrace trace_read;                // device output
  Ser2netTrace trace_write;               // what clients wrote
  Ser2netTrace trace_both;
};

// ser2net's admin or control port (CONTROLPORT:, `admin:`).
struct Ser2netAdmin {
  Ser2netOrigin origin;
  std::string host;  // ttyhub's form, as Ser2netAddress::host
  uint16_t port = 0;
  bool localhost = false;  // written as "localhost"
};

// A connection with ser2net's built-in defaults (ser2net 3 and 4 agree on
// these): 9600N81, no flow control, modem lines watched (no LOCAL), no
// hang-up, one connection at a time, no timeout.
Ser2netConnection DefaultSer2netConnection();

}  // namespace ttyhub

#endif  // TTYHUB_CONFIG_SER2NET_CONNECTION_H_
