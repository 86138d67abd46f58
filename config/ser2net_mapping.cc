// ser2net connections to ttyhub ports and listeners. See ser2net_mapping.h.
#include "config/ser2net_mapping.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/ser2net_strings.h"
#include "config/serial_settings.h"

namespace ttyhub {
namespace {

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string Quoted(absl::string_view s) { return absl::StrCat("'", s, "'"); }

std::string ListenValue(const Ser2netAddress& a) {
  if (a.host.empty()) return absl::StrCat(a.port);
  if (a.host.find(':') != std::string::npos) return absl::StrCat("[", a.host, "]:", a.port);
  return absl::StrCat(a.host, ":", a.port);
}

// ttyhub's notation for the framing: "9600e81".
std::string SerialValue(const SerialSettings& s) {
  return absl::StrCat(
      s.baud,
      std::string(1, absl::ascii_tolower(static_cast<unsigned char>(ParityLetter(s.parity)))),
      s.data_bits, s.stop_bits);
}

// ser2net 4's \B tail for these settings: ",XONXOFF,RTSCTS,CLOCAL,HANGUP_WHEN_DONE".
std::string SerialFlags(const Ser2netConnection& c) {
  std::string flags;
  if (c.xonxoff.value) flags += ",XONXOFF";
  if (c.rtscts.value) flags += ",RTSCTS";
  if (c.local.value) flags += ",CLOCAL";
  if (c.hangup_when_done.value) flags += ",HANGUP_WHEN_DONE";
  return flags;
}

// A valid ttyhub port name made from `s`.
std::string PortName(absl::string_view s) {
  std::string name;
  for (char c : s.substr(0, 64)) {
    const bool ok =
        absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    name.push_back(ok ? c : '_');
  }
  return name.empty() ? "port" : name;
}

bool HasControlCharacter(absl::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// What a connection asks of the device, which all connections of one port
// must agree on.
struct PortPlan {
  SerialSettings serial;
  bool local = false;
  bool hangup_when_done = false;
  bool write_only = false;
  std::string open_string;  // ttyhub banner templates; "" = none
  std::string close_string;
  bool log = false;
  std::string log_path;
  bool log_timestamps = false;
  bool log_input = false;
  std::vector<ConvertedKey> keys;  // serial, flow, local, hangup_when_done, log
  std::vector<std::string> notes;  // comments for the port

  bool SameDevice(const PortPlan& o) const {
    return serial == o.serial && local == o.local && hangup_when_done == o.hangup_when_done &&
           write_only == o.write_only && open_string == o.open_string &&
           close_string == o.close_string && log == o.log && log_path == o.log_path &&
           log_timestamps == o.log_timestamps && log_input == o.log_input;
  }
  std::string Describe() const {
    std::string d = FormatSerialSettings(serial);
    if (serial.flow != FlowControl::kNone) absl::StrAppend(&d, " ", FlowControlName(serial.flow));
    absl::StrAppend(&d, local ? " LOCAL" : " -LOCAL");
    if (hangup_when_done) absl::StrAppend(&d, " HANGUP_WHEN_DONE");
    if (write_only) absl::StrAppend(&d, " rawlp");
    if (!open_string.empty()) absl::StrAppend(&d, " openstr ", open_string);
    if (!close_string.empty()) absl::StrAppend(&d, " closestr ", close_string);
    if (log) absl::StrAppend(&d, " trace ", log_path);
    return d;
  }
};

class Mapper {
 public:
  Mapper(const Ser2netFile& file, Ser2netDiagnostics* diag) : file_(file), diag_(diag) {}

  ConvertedConfig Map() {
    ConvertedConfig out;
    out.source = diag_->source();
    std::vector<const Ser2netConnection*> enabled;
    for (const Ser2netConnection& c : file_.connections) {
      // Without an address or a device (errors reported already), there is
      // nothing to map.
      if (c.addresses.empty() || (c.device.empty() && !c.echo)) continue;
      // A connection that is off in ser2net is configured and switched off:
      // its listeners refuse clients until `ttyhubctl enable` (or the API).
      enabled.push_back(&c);
      if (!c.enabled.value) {
        diag_->Notice(c.enabled.origin.line > 0 ? c.enabled.origin.line : c.origin.line,
                      absl::StrCat(Label(c),
                                   " is off in ser2net: its listener is configured with "
                                   "enabled: false and refuses clients until switched on "
                                   "(ttyhubctl enable)"));
      }
    }
    if (enabled.empty()) {
      if (diag_->has_errors()) return out;
      diag_->Error(0, "defines no connection: ttyhub needs at least one port");
      return out;
    }
    // Group connections by device, in file order.
    std::vector<std::vector<const Ser2netConnection*>> groups;
    std::map<std::string, size_t> by_device;
    for (const Ser2netConnection* c : enabled) {
      if (c->echo) {
        groups.push_back({c});
        continue;
      }
      auto [it, inserted] = by_device.emplace(c->device, groups.size());
      if (inserted) {
        groups.push_back({c});
      } else {
        groups[it->second].push_back(c);
      }
    }
    std::set<std::string> names;
    for (const auto& whole : groups) {
      // Connections on one device with other settings (Debian's default
      // file: ttyS0 at 9600 and at 19200) become ports of their own that
      // share the device ser2net's way: each opens it on connect, and the
      // first to get a client has it.
      std::vector<const Ser2netConnection*> group = whole;
      const size_t first_port = out.ports.size();
      while (!group.empty()) {
        std::vector<const Ser2netConnection*> rest;
        out.ports.push_back(MapPort(group, &names, &rest));
        const int index = static_cast<int>(out.ports.size()) - 1;
        for (const Ser2netConnection* c : group) {
          if (std::find(rest.begin(), rest.end(), c) != rest.end()) continue;
          diag_->AssignNotices(c->origin.line, std::max(c->last_line, c->origin.line), index);
        }
        group = std::move(rest);
      }
      if (out.ports.size() - first_port > 1) {
        for (size_t i = first_port; i < out.ports.size(); ++i) ShareOnConnect(&out.ports[i]);
      }
    }
    if (file_.admin) MapAdmin(*file_.admin, &out);
    for (const Ser2netDiagnostics::Entry& e : diag_->notices()) {
      const std::string text = absl::StrCat("notice: ", diag_->Where(e.line), ": ", e.text);
      if (e.port >= 0 && static_cast<size_t>(e.port) < out.ports.size()) {
        out.ports[e.port].notes.push_back(text);
      } else {
        out.notes.push_back(text);
      }
    }
    out.notices = diag_->NoticeLines();
    return out;
  }

 private:
  // "port 1001" (ser2net.conf) or "connection 'con1'" (ser2net.yaml).
  std::string Label(const Ser2netConnection& c) const {
    return c.name.empty() ? absl::StrCat("port ", c.accepter_text)
                          : absl::StrCat("connection '", c.name, "'");
  }

  // Where a value came from, for a comment on an item that starts at
  // `item_line`: the explicit origins, or if none, ser2net's default.
  std::string Comment(int item_line, std::initializer_list<const Ser2netOrigin*> origins) const {
    std::vector<std::string> parts;
    auto add = [&](const std::string& s) {
      if (!s.empty() && std::find(parts.begin(), parts.end(), s) == parts.end()) {
        parts.push_back(s);
      }
    };
    for (const Ser2netOrigin* o : origins) {
      if (o->line == 0) continue;
      add(o->line == item_line ? o->text : absl::StrCat(diag_->Where(o->line), ": ", o->text));
    }
    if (parts.empty()) {
      for (const Ser2netOrigin* o : origins) add(o->text);
    }
    return absl::StrJoin(parts, ", ");
  }

  Ser2netStringContext StringContext(const Ser2netConnection& c, const std::string& port_name,
                                     const SerialSettings& serial) const {
    Ser2netStringContext ctx;
    ctx.dialect = file_.dialect;
    ctx.port_name = port_name;
    ctx.connection_name = file_.dialect == Ser2netDialect::kYaml ? c.name : port_name;
    ctx.accepter_text = c.accepter_text;
    ctx.accepter_is_bare_port = c.accepter_is_bare_port;
    ctx.device_alias = c.device_alias;
    ctx.connector_text = c.connector_text;
    ctx.serial_text = FormatSerialSettings(serial);
    ctx.serial_flags = SerialFlags(c);
    ctx.echo = c.echo;
    return ctx;
  }

  SerialSettings Serial(const Ser2netConnection& c) const {
    SerialSettings s;
    s.baud = c.baud.value;
    s.parity = c.parity.value;
    s.data_bits = c.data_bits.value;
    s.stop_bits = c.stop_bits.value;
    s.flow = c.rtscts.value    ? FlowControl::kRtsCts
             : c.xonxoff.value ? FlowControl::kXonXoff
                               : FlowControl::kNone;
    return s;
  }

  PortPlan PlanDevice(const Ser2netConnection& c, const std::string& port_name) {
    PortPlan p;
    const int line = c.origin.line;
    p.serial = Serial(c);
    p.local = c.local.value;
    p.hangup_when_done = c.hangup_when_done.value;
    if (c.xonxoff.value && c.rtscts.value) {
      const Ser2netOrigin& later =
          c.rtscts.origin.line >= c.xonxoff.origin.line ? c.rtscts.origin : c.xonxoff.origin;
      diag_->Error(later.line, absl::StrCat(Quoted(later.text),
                                            ": XONXOFF and RTSCTS together are not supported: "
                                            "ttyhub runs one kind of flow control per port"));
    }
    p.keys.push_back({"serial", SerialValue(p.serial), 0,
                      Comment(line, {&c.baud.origin, &c.parity.origin, &c.data_bits.origin,
                                     &c.stop_bits.origin})});
    if (p.serial.flow != FlowControl::kNone) {
      const Ser2netOrigin& o =
          p.serial.flow == FlowControl::kRtsCts ? c.rtscts.origin : c.xonxoff.origin;
      p.keys.push_back(
          {"flow", std::string(FlowControlName(p.serial.flow)), 0, Comment(line, {&o})});
    }
    p.keys.push_back({"local", Bool(p.local), 0, Comment(line, {&c.local.origin})});
    if (p.hangup_when_done) {
      p.keys.push_back(
          {"hangup_when_done", "true", 0, Comment(line, {&c.hangup_when_done.origin})});
    }
    if (c.nobreak.value) {
      p.notes.push_back(absl::StrCat(
          Comment(line, {&c.nobreak.origin}),
          ": kept as it is: ttyhub never changes the break state when it opens a device"));
    }
    if (c.write_only.value) {
      p.write_only = true;
      p.keys.push_back({"write_only", "true", 0, Comment(line, {&c.write_only.origin})});
      p.notes.push_back(absl::StrCat(
          Comment(line, {&c.write_only.origin}),
          ": the device is only written to, and its line settings are left as they are (the "
          "port's serial keys have no effect, as in ser2net)"));
    }
    // ser2net sends openstr when it opens the device for the first client,
    // and closestr when it closes it after the last: ttyhub does so with
    // open: on_connect.
    bool strings = false;
    for (const auto& [setting, key, out] :
         {std::tuple{&c.openstr, "open_string", &p.open_string},
          std::tuple{&c.closestr, "close_string", &p.close_string}}) {
      if (setting->value.empty()) continue;
      auto t = TranslateSer2netBanner(setting->value, StringContext(c, port_name, p.serial));
      if (!t.ok()) {
        diag_->Error(setting->origin.line,
                     absl::StrCat(Quoted(setting->origin.text), ": ", t.status().message()));
        continue;
      }
      *out = *t;
      p.keys.push_back({key, YamlScalar(*t), 0, Comment(line, {&setting->origin})});
      strings = true;
    }
    if (strings) {
      const Ser2netOrigin& o = c.openstr.value.empty() ? c.closestr.origin : c.openstr.origin;
      p.keys.push_back({"open", "on_connect", 0,
                        "when ser2net sends openstr and closestr: the first client opens it, "
                        "the last one's leaving closes it"});
      diag_->Notice(o.line, absl::StrCat(Quoted(o.text),
                                         ": the port's device is open only while clients are "
                                         "connected (open: on_connect), as in ser2net, so that "
                                         "the string is sent when ser2net sends it"));
    }
    PlanLog(c, port_name, &p);
    return p;
  }

  // ser2net's trace files become the port's console log.
  void PlanLog(const Ser2netConnection& c, const std::string& port_name, PortPlan* p) {
    struct Use {
      const Ser2netTrace* trace;
      bool input;   // clients' bytes (write, both)
      bool output;  // the device's bytes (read, both)
    };
    std::vector<Use> used;
    for (const Use& u : {Use{&c.trace_read, false, true}, Use{&c.trace_write, true, false},
                         Use{&c.trace_both, true, true}}) {
      if (!u.trace->file.value.empty()) used.push_back(u);
    }
    if (used.empty()) return;
    bool ok = true;
    for (const Use& u : used) {
      if (u.trace->hexdump.value) {
        const Ser2netOrigin& o = u.trace->hexdump.origin;
        diag_->Error(o.line, absl::StrCat(Quoted(o.text),
                                          " is not supported: ttyhub's console log holds the "
                                          "device's bytes (or lines with timestamps), not a hex "
                                          "dump"));
        ok = false;
      }
    }
    const bool output =
        std::any_of(used.begin(), used.end(), [](const Use& u) { return u.output; });
    if (!output) {
      const Ser2netOrigin& o = used.front().trace->file.origin;
      diag_->Error(o.line, absl::StrCat(Quoted(o.text),
                                        " is not supported: ttyhub logs what clients write only "
                                        "together with what the device prints (log: {input: "
                                        "true}); trace both directions to one file instead"));
      return;
    }
    for (const Use& u : used) {
      if (u.trace->file.value != used.front().trace->file.value) {
        diag_->Error(u.trace->file.origin.line,
                     absl::StrCat(Quoted(u.trace->file.origin.text), " and ",
                                  Quoted(used.front().trace->file.origin.text),
                                  " name two files: not supported: ttyhub keeps one console log "
                                  "per port; trace both directions to one file instead"));
        return;
      }
    }
    if (!ok) return;
    const Ser2netOrigin& file = used.front().trace->file.origin;
    auto path = TranslateSer2netFilename(used.front().trace->file.value,
                                         StringContext(c, port_name, p->serial));
    if (!path.ok()) {
      diag_->Error(file.line, absl::StrCat(Quoted(file.text), ": ", path.status().message()));
      return;
    }
    p->log = true;
    p->log_path = *path;
    p->log_input = std::any_of(used.begin(), used.end(), [](const Use& u) { return u.input; });
    p->log_timestamps = std::any_of(used.begin(), used.end(),
                                    [](const Use& u) { return u.trace->timestamp.value; });
    std::vector<const Ser2netOrigin*> origins;
    for (const Use& u : used) {
      origins.push_back(&u.trace->file.origin);
      if (u.trace->timestamp.value) origins.push_back(&u.trace->timestamp.origin);
    }
    std::string comment;
    for (const Ser2netOrigin* o : origins) {
      const std::string part = Comment(c.origin.line, {o});
      if (!part.empty() && comment.find(part) == std::string::npos) {
        absl::StrAppend(&comment, comment.empty() ? "" : ", ", part);
      }
    }
    p->keys.push_back({"log",
                       absl::StrCat("{path: ", YamlScalar(p->log_path), ", timestamps: ",
                                    Bool(p->log_timestamps), ", input: ", Bool(p->log_input), "}"),
                       0, comment});
    if (p->log_input) {
      diag_->Notice(file.line,
                    absl::StrCat(Quoted(file.text),
                                 ": ttyhub writes what clients type on lines of their own marked "
                                 "[input], between the device's lines; ser2net writes both "
                                 "directions' bytes as they come"));
    }
    if (p->log_timestamps) {
      diag_->Notice(file.line,
                    absl::StrCat(Quoted(file.text),
                                 ": with timestamps ttyhub starts every line with its RFC 3339 "
                                 "time; ser2net stamps only connects and disconnects unless it "
                                 "hexdumps"));
    }
  }

  Protocol ProtocolOf(const Ser2netConnection& c) {
    if (c.rfc2217.value && !c.telnet.value) {
      diag_->Notice(c.rfc2217.origin.line,
                    absl::StrCat(Quoted(c.rfc2217.origin.text),
                                 " has no effect on a raw port: RFC 2217 runs over telnet (ser2net "
                                 "ignores it there too)"));
    }
    if (!c.telnet.value) return Protocol::kRaw;
    return c.rfc2217.value ? Protocol::kRfc2217 : Protocol::kTelnet;
  }

  void AddListeners(const Ser2netConnection& c, const std::string& port_name,
                    const SerialSettings& serial, ConvertedPort* port) {
    const Protocol protocol = ProtocolOf(c);
    const int line = c.accepter_origin.line > 0 ? c.accepter_origin.line : c.origin.line;
    const Ser2netStringContext ctx = StringContext(c, port_name, serial);
    std::string banner;
    if (!c.banner.value.empty()) {
      auto b = TranslateSer2netBanner(c.banner.value, ctx);
      if (b.ok()) {
        banner = *b;
      } else {
        diag_->Error(c.banner.origin.line,
                     absl::StrCat(Quoted(c.banner.origin.text), ": ", b.status().message()));
      }
    }
    if (c.telnet_brk_on_sync.value) {
      const Ser2netOrigin& o = c.telnet_brk_on_sync.origin;
      if (protocol == Protocol::kRaw) {
        diag_->Notice(o.line, absl::StrCat(Quoted(o.text),
                                           " has no effect on a raw port (as in ser2net): there "
                                           "is no telnet SYNC"));
      } else {
        diag_->Error(o.line, absl::StrCat(Quoted(o.text),
                                          " is not supported yet: ttyhub does not send a break "
                                          "on a telnet SYNC"));
      }
    }
    std::string signature;
    if (!c.signature.value.empty()) {
      const Ser2netOrigin& o = c.signature.origin;
      if (protocol != Protocol::kRfc2217) {
        diag_->Notice(o.line, absl::StrCat(Quoted(o.text),
                                           " has no effect here: only RFC 2217 clients ask for "
                                           "a signature"));
      } else if (HasControlCharacter(c.signature.value)) {
        diag_->Error(o.line, absl::StrCat(Quoted(o.text),
                                          ": a signature with control characters is not "
                                          "supported"));
      } else {
        signature = c.signature.value;
      }
    }
    if (c.kickolduser.value && c.max_connections.value > 1) {
      diag_->Notice(c.kickolduser.origin.line,
                    absl::StrCat(Quoted(c.kickolduser.origin.text),
                                 ": when the listener is full, ttyhub disconnects the "
                                 "longest-connected client for the new one; ser2net disconnects "
                                 "them all"));
    }
    for (const Ser2netAddress& a : c.addresses) {
      if (a.localhost) {
        diag_->Notice(c.accepter_origin.line,
                      absl::StrCat(Quoted(c.accepter_origin.text),
                                   ": ttyhub listens on 127.0.0.1 for 'localhost'; ser2net "
                                   "listens on ::1 as well"));
      }
      ConvertedListener l;
      l.line = line;
      if (c.origin.line != port->line) {
        l.comment = absl::StrCat(diag_->Where(c.origin.line), ": ", c.origin.text);
      }
      l.keys.push_back({"port", YamlScalar(ListenValue(a)), c.accepter_origin.line,
                        Comment(port->line, {&c.accepter_origin})});
      l.keys.push_back({"protocol", std::string(ProtocolName(protocol)), 0,
                        Comment(port->line, {&c.telnet.origin, &c.rfc2217.origin})});
      if (!c.enabled.value) {
        l.keys.push_back(
            {"enabled", "false", c.enabled.origin.line, Comment(port->line, {&c.enabled.origin})});
      }
      if (c.read_only.value) {
        l.keys.push_back(
            {"access", "ro", c.read_only.origin.line, Comment(port->line, {&c.read_only.origin})});
      }
      if (!c.remaddr.value.empty()) {
        std::vector<std::string> quoted;
        for (const std::string& n : c.remaddr.value) quoted.push_back(Quoted(n));
        l.keys.push_back({"allow", absl::StrCat("[", absl::StrJoin(quoted, ", "), "]"),
                          c.remaddr.origin.line, Comment(port->line, {&c.remaddr.origin})});
      }
      if (c.timeout_seconds.value > 0) {
        l.keys.push_back({"timeout", absl::StrCat(c.timeout_seconds.value, "s"),
                          c.timeout_seconds.origin.line,
                          Comment(port->line, {&c.timeout_seconds.origin})});
      }
      if (c.kickolduser.value) {
        l.keys.push_back({"when_full", "kick_oldest", c.kickolduser.origin.line,
                          Comment(port->line, {&c.kickolduser.origin})});
      }
      l.keys.push_back({"max_clients", absl::StrCat(c.max_connections.value),
                        c.max_connections.origin.line,
                        Comment(port->line, {&c.max_connections.origin})});
      if (!banner.empty()) {
        l.keys.push_back({"banner", YamlScalar(banner), c.banner.origin.line,
                          Comment(port->line, {&c.banner.origin})});
      }
      if (!signature.empty()) {
        l.keys.push_back({"signature", YamlScalar(signature), c.signature.origin.line,
                          Comment(port->line, {&c.signature.origin})});
      }
      port->listeners.push_back(std::move(l));
    }
  }

  // Makes a port that shares its device with others open it on connect.
  void ShareOnConnect(ConvertedPort* port) {
    const bool has_open = std::any_of(port->keys.begin(), port->keys.end(),
                                      [](const ConvertedKey& k) { return k.key == "open"; });
    if (!has_open) {
      port->keys.push_back({"open", "on_connect", 0,
                            "the device is shared with another port, as in ser2net: the first "
                            "port to get a client opens it"});
    }
    diag_->Notice(port->line,
                  "its device is also used by another connection with other settings: as in "
                  "ser2net, each port opens it when a client connects (open: on_connect), and "
                  "while one has it the other refuses clients");
  }

  // Maps `group` (connections on one device) to one port; connections
  // whose device settings differ from the first's go to *rest.
  ConvertedPort MapPort(const std::vector<const Ser2netConnection*>& group,
                        std::set<std::string>* names, std::vector<const Ser2netConnection*>* rest) {
    const Ser2netConnection& first = *group.front();
    ConvertedPort port;
    port.line = first.origin.line;
    port.comment = absl::StrCat(diag_->Where(first.origin.line), ": ", first.origin.text);
    // The name: ser2net.yaml's alias, or the device's file name.
    std::string wanted;
    if (!first.name.empty()) {
      wanted = first.name;
    } else if (!first.device_alias.empty()) {
      wanted = first.device_alias;  // ser2net.conf DEVICE name
    } else if (first.echo) {
      wanted = "echo";
    } else {
      const size_t slash = first.device.rfind('/');
      wanted = slash == std::string::npos ? first.device : first.device.substr(slash + 1);
    }
    std::string name = PortName(wanted);
    if (!first.name.empty() && name != first.name) {
      diag_->Notice(
          first.origin.line,
          absl::StrCat("connection name ", Quoted(first.name),
                       " is not a valid ttyhub port name: the port is called ", Quoted(name)));
    }
    if (names->count(name) > 0 && !first.addresses.empty()) {
      name = absl::StrCat(name, "-", first.addresses.front().port);
    }
    for (int n = 2; names->count(name) > 0; ++n) name = absl::StrCat(PortName(wanted), "-", n);
    names->insert(name);

    const std::string device = first.echo ? "sim:echo" : first.device;
    if (HasControlCharacter(device)) {
      diag_->Error(first.device_origin.line, absl::StrCat(Quoted(first.device_origin.text),
                                                          ": a device path with control "
                                                          "characters is not supported"));
    }
    port.keys.push_back({"name", YamlScalar(name), 0,
                         first.name.empty() || first.name == name
                             ? ""
                             : absl::StrCat("ser2net's name: ", first.name)});
    port.keys.push_back({"device", YamlScalar(device), first.device_origin.line,
                         first.echo ? Comment(first.origin.line, {&first.device_origin})
                                          .append(" (ttyhub's built-in echo device)")
                                    : Comment(first.origin.line, {&first.device_origin})});
    const PortPlan plan = PlanDevice(first, name);
    for (ConvertedKey k : plan.keys) {
      if (k.line == 0) k.line = first.origin.line;
      port.keys.push_back(std::move(k));
    }
    port.notes = plan.notes;
    AddListeners(first, name, plan.serial, &port);
    for (size_t i = 1; i < group.size(); ++i) {
      const Ser2netConnection& c = *group[i];
      const PortPlan other = PlanDevice(c, name);
      if (!other.SameDevice(plan)) {
        rest->push_back(&c);  // a port of its own, sharing the device
        continue;
      }
      diag_->Notice(c.origin.line,
                    absl::StrCat(Label(c), " uses ", first.device, " as ", Label(first),
                                 " on line ", first.origin.line,
                                 " does: it becomes another "
                                 "listener of port ",
                                 Quoted(name),
                                 ", whose clients may be connected at the same time as the "
                                 "other's (ser2net lets only one connection have the device)"));
      AddListeners(c, name, plan.serial, &port);
    }
    return port;
  }

  void MapAdmin(const Ser2netAdmin& admin, ConvertedConfig* out) {
    out->admin_line = admin.origin.line;
    const bool loopback = admin.host == "127.0.0.1" || admin.host == "::1";
    std::string listen;
    if (admin.host.empty()) {
      listen = absl::StrCat("*:", admin.port);
    } else {
      listen = ListenValue(Ser2netAddress{admin.host, admin.port, false});
    }
    out->admin.push_back({"listen", YamlScalar(listen), admin.origin.line,
                          Comment(admin.origin.line, {&admin.origin})});
    diag_->Notice(
        admin.origin.line,
        absl::StrCat(Quoted(admin.origin.text),
                     ": served as ttyhub's HTTP admin API (metrics, JSON, ttyhubctl), not "
                     "ser2net's text commands",
                     admin.localhost ? ", on 127.0.0.1 only (ser2net also listens on ::1)" : "",
                     loopback ? ""
                              : "; it has no token, as ser2net's control port had no password: "
                                "add admin.token_file to require one"));
  }

  const Ser2netFile& file_;
  Ser2netDiagnostics* diag_;
};

}  // namespace

ConvertedConfig MapSer2netFile(const Ser2netFile& file, Ser2netDiagnostics* diag) {
  return Mapper(file, diag).Map();
}

}  // namespace ttyhub
