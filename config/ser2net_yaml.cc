// ser2net.yaml, event by event. See ser2net_yaml.h.
//
// yaml-cpp's events are first collected into a small tree (keeping repeated
// keys, anchor names and alias names, and each node's line); the tree is then
// walked in file order with ser2net's rules.
#include "config/ser2net_yaml.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "config/ser2net_address.h"
#include "config/ser2net_defaults.h"
#include "config/ser2net_options.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace ttyhub {
namespace {

struct NodeEntry;

struct Node {
  enum class Kind { kNull, kScalar, kAlias, kMap, kSeq };
  Kind kind = Kind::kNull;
  int line = 0;        // 1-based
  std::string text;    // scalar value, or the alias's anchor name
  std::string anchor;  // this node's own anchor name, if any
  // kMap, repeated keys kept, in order. (A vector of a struct declared
  // later, not of std::pair<Node, Node>: pair needs Node complete, and
  // clang's checks refuse it here.)
  std::vector<NodeEntry> entries;
  std::vector<Node> items;  // kSeq
};

struct NodeEntry {
  Node key;
  Node value;
};

int LastLine(const Node& n) {
  int last = n.line;
  for (const auto& [k, v] : n.entries) last = std::max({last, LastLine(k), LastLine(v)});
  for (const Node& i : n.items) last = std::max(last, LastLine(i));
  return last;
}

// Builds the tree of one document from yaml-cpp's events.
class TreeBuilder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(MakeNode(Node::Kind::kNull, mark, anchor));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n = MakeNode(Node::Kind::kAlias, mark, 0);
    auto it = anchor_names_.find(anchor);
    n.text = it == anchor_names_.end() ? "" : it->second;
    Add(std::move(n));
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n = MakeNode(Node::Kind::kScalar, mark, anchor);
    n.text = value;
    Add(std::move(n));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back(MakeNode(Node::Kind::kSeq, mark, anchor));
    pending_key_.emplace_back();
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back(MakeNode(Node::Kind::kMap, mark, anchor));
    pending_key_.emplace_back();
  }
  void OnMapEnd() override { Close(); }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { next_anchor_ = name; }

  std::optional<Node>& root() { return root_; }

 private:
  Node MakeNode(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Node n;
    n.kind = kind;
    n.line = mark.line + 1;
    if (anchor != YAML::NullAnchor) {
      anchor_names_[anchor] = next_anchor_;
      n.anchor = next_anchor_;
    }
    next_anchor_.clear();
    return n;
  }

  void Add(Node n) {
    if (open_.empty()) {
      root_ = std::move(n);
      return;
    }
    Node& parent = open_.back();
    if (parent.kind == Node::Kind::kSeq) {
      parent.items.push_back(std::move(n));
    } else if (!pending_key_.back()) {
      pending_key_.back() = std::move(n);
    } else {
      parent.entries.push_back(NodeEntry{std::move(*pending_key_.back()), std::move(n)});
      pending_key_.back().reset();
    }
  }

  void Close() {
    Node n = std::move(open_.back());
    open_.pop_back();
    pending_key_.pop_back();
    Add(std::move(n));
  }

  std::vector<Node> open_;
  std::vector<std::optional<Node>> pending_key_;  // per open map: its key awaiting a value
  std::map<YAML::anchor_t, std::string> anchor_names_;
  std::string next_anchor_;
  std::optional<Node> root_;
};

// Splits at commas outside parentheses, trimming blanks.
std::vector<std::string> SplitTop(absl::string_view s) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(std::string(absl::StripAsciiWhitespace(cur)));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(std::string(absl::StripAsciiWhitespace(cur)));
  return parts;
}

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// Long values are shortened in messages and comments.
std::string Excerpt(absl::string_view s) {
  constexpr size_t kMax = 100;
  if (s.size() <= kMax) return std::string(s);
  return absl::StrCat(s.substr(0, kMax - 3), "...");
}

class YamlReader {
 public:
  explicit YamlReader(Ser2netDiagnostics* diag) : diag_(diag) {}

  Ser2netFile Read(absl::string_view text) {
    file_.dialect = Ser2netDialect::kYaml;
    std::optional<Node> root;
    try {
      std::istringstream in{std::string(text)};
      YAML::Parser parser(in);
      TreeBuilder first;
      if (parser.HandleNextDocument(first)) root = std::move(first.root());
      TreeBuilder second;
      if (parser.HandleNextDocument(second) && second.root()) {
        diag_->Error(second.root()->line, "a second YAML document starts here: ser2net reads one");
        return std::move(file_);
      }
    } catch (const YAML::Exception& e) {
      diag_->Error(e.mark.line >= 0 ? e.mark.line + 1 : 0,
                   absl::StrCat("YAML syntax error: ", e.msg));
      return std::move(file_);
    }
    if (!root || root->kind == Node::Kind::kNull) {
      diag_->Error(0, "is empty: it defines no connection");
      return std::move(file_);
    }
    if (root->kind != Node::Kind::kMap) {
      diag_->Error(root->line, "the top level must be a mapping of define:, connection: ...");
      return std::move(file_);
    }
    for (const auto& [key, value] : root->entries) TopLevel(key, value);
    return std::move(file_);
  }

 private:
  // ser2net's *(name) and *{file} in a value.
  std::optional<std::string> Substitute(absl::string_view s, int line) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
      if (s[i] != '*') {
        out.push_back(s[i++]);
        continue;
      }
      // After '*': "**" keeps one and looks again; "*(" and "*{" open.
      size_t j = i + 1;
      while (j < s.size() && s[j] == '*') {
        out.push_back('*');
        ++j;
      }
      if (j >= s.size() || (s[j] != '(' && s[j] != '{')) {
        out.push_back('*');
        i = j;
        continue;
      }
      const char open = s[j];
      const char close = open == '(' ? ')' : '}';
      if (j + 1 < s.size() && s[j + 1] == '*') {  // "*(*" is a literal "*("
        out.push_back('*');
        out.push_back(open);
        i = j + 2;
        continue;
      }
      const size_t end = s.find(close, j + 1);
      if (end == absl::string_view::npos) {
        diag_->Error(line, absl::StrCat("missing '", std::string(1, close), "' in ",
                                        std::string(s.substr(i))));
        return std::nullopt;
      }
      const std::string name(s.substr(j + 1, end - j - 1));
      if (open == '{') {
        diag_->Error(line, absl::StrCat("*{", name,
                                        "} (a file's contents) is not supported: write the "
                                        "value into the configuration"));
        return std::nullopt;
      }
      auto it = aliases_.find(name);
      if (it == aliases_.end()) {
        diag_->Error(line, absl::StrCat("unknown alias in *(", name, ")"));
        return std::nullopt;
      }
      out += it->second;
      i = end + 1;
    }
    return out;
  }

  // A node as ser2net reads a value: a scalar (with substitutions), an alias
  // (the define's text), or nothing ("").
  std::optional<std::string> Value(const Node& n, absl::string_view what) {
    switch (n.kind) {
      case Node::Kind::kNull:
        return std::string();
      case Node::Kind::kScalar:
        return Substitute(n.text, n.line);
      case Node::Kind::kAlias: {
        auto it = aliases_.find(n.text);
        if (it == aliases_.end()) {
          diag_->Error(n.line, absl::StrCat("*", n.text,
                                            ": not a define or a connection, led or rotator name"));
          return std::nullopt;
        }
        return Substitute(it->second, n.line);
      }
      default:
        diag_->Error(n.line, absl::StrCat(what, ": expected a single value"));
        return std::nullopt;
    }
  }

  std::optional<std::string> Key(const Node& n) {
    if (n.kind != Node::Kind::kScalar && n.kind != Node::Kind::kAlias) {
      diag_->Error(n.line, "keys must be plain names");
      return std::nullopt;
    }
    auto k = Value(n, "key");
    if (!k) return std::nullopt;
    return absl::AsciiStrToLower(absl::StripAsciiWhitespace(*k));
  }

  void TopLevel(const Node& key_node, const Node& value) {
    auto key = Key(key_node);
    if (!key) return;
    const int line = key_node.line;
    if (*key == "define") {
      if (value.anchor.empty()) {
        diag_->Notice(line, "'define:' without an &name defines nothing (ser2net ignores it)");
        return;
      }
      if (auto v = Value(value, "define")) aliases_[value.anchor] = *v;
    } else if (*key == "connection") {
      Connection(line, value);
    } else if (*key == "default" || *key == "delete_default") {
      Default(line, *key == "delete_default", value);
    } else if (*key == "admin") {
      Admin(line, value);
    } else if (*key == "led") {
      if (!value.anchor.empty()) aliases_[value.anchor] = value.anchor;
      diag_->Notice(line, absl::StrCat("'led: &", value.anchor,
                                       "' is ignored: ttyhub does not flash LEDs (a connection "
                                       "that uses it is an error)"));
    } else if (*key == "rotator") {
      if (!value.anchor.empty()) aliases_[value.anchor] = value.anchor;
      diag_->Error(line,
                   "'rotator:' is not supported yet: ttyhub has no listener that hands "
                   "each client the next free connection of a list");
    } else if (*key == "include") {
      diag_->Error(line,
                   "'include:' is not supported yet: put the included connections into "
                   "this file");
    } else {
      diag_->Error(line, absl::StrCat("unknown top-level key '", *key,
                                      "' (ser2net knows define, include, connection, rotator, "
                                      "led, admin, default and delete_default)"));
    }
  }

  void Connection(int line, const Node& value) {
    if (value.kind != Node::Kind::kMap) {
      diag_->Error(line, "connection: expected a mapping with accepter, connector and options");
      return;
    }
    if (value.anchor.empty()) {
      diag_->Error(line, "connection: needs a name, as in 'connection: &con1'");
      return;
    }
    if (!names_.insert(value.anchor).second) {
      diag_->Error(line, absl::StrCat("duplicate connection name '", value.anchor, "'"));
      return;
    }
    aliases_[value.anchor] = value.anchor;
    Ser2netConnection c = defaults_.NewConnection(diag_);
    c.name = value.anchor;
    c.origin = Ser2netOrigin{line, absl::StrCat("connection: &", value.anchor)};
    c.last_line = LastLine(value);
    bool have_accepter = false, have_connector = false;
    for (const auto& [k, v] : value.entries) {
      auto key = Key(k);
      if (!key) continue;
      const int at = v.kind == Node::Kind::kNull ? k.line : v.line;
      if (*key == "options") {
        Options(v, &c);
        continue;
      }
      auto text = Value(v, *key);
      if (!text) {
        // Reported; do not also call it missing.
        if (*key == "accepter") have_accepter = true;
        if (*key == "connector") have_connector = true;
        continue;
      }
      const Ser2netOrigin origin{at, Excerpt(absl::StrCat(*key, ": ", *text))};
      if (*key == "accepter" || *key == "connector") {
        bool& have = *key == "accepter" ? have_accepter : have_connector;
        if (have) {
          diag_->Error(at, absl::StrCat(*key, " is already set in this connection"));
        } else if (text->empty()) {
          diag_->Error(at, absl::StrCat("empty ", *key));
        } else if (*key == "accepter") {
          have = true;
          Accepter(*text, origin, &c);
        } else {
          have = true;
          Connector(*text, origin, &c);
        }
      } else if (*key == "timeout") {
        uint64_t seconds = 0;
        if (!AllDigits(*text) || !absl::SimpleAtoi(*text, &seconds)) {
          diag_->Error(at,
                       absl::StrCat("timeout: expected a number of seconds, got '", *text, "'"));
        } else {
          c.timeout_seconds.Set(seconds, origin);
        }
      } else if (*key == "enable") {
        const std::string state = absl::AsciiStrToLower(*text);
        if (state != "on" && state != "off") {
          diag_->Error(at, absl::StrCat("enable: must be on or off, got '", *text, "'"));
        } else {
          c.enabled.Set(state == "on", origin);
        }
      } else {
        diag_->Error(k.line, absl::StrCat("unknown key '", *key,
                                          "' in a connection (ser2net knows accepter, connector, "
                                          "timeout, enable and options)"));
      }
    }
    if (!have_accepter) diag_->Error(line, "connection: no accepter given");
    if (!have_connector) diag_->Error(line, "connection: no connector given");
    file_.connections.push_back(std::move(c));
  }

  void Options(const Node& options, Ser2netConnection* c) {
    if (options.kind == Node::Kind::kNull) return;
    if (options.kind != Node::Kind::kMap) {
      diag_->Error(options.line, "options: expected a mapping of option: value");
      return;
    }
    for (const auto& [k, v] : options.entries) {
      auto name = Key(k);
      if (!name) continue;
      auto value = Value(v, *name);
      if (!value) continue;
      const Ser2netOrigin origin{k.line, Excerpt(absl::StrCat(*name, ": ", *value))};
      ApplySer2netOption(*name, *value, origin, c, diag_);
    }
  }

  // "[telnet[(rfc2217)],]tcp,[ipv4|ipv6|ipv6n4,][host,]port[,...]".
  // Returns the addresses; sets the protocol on `c` (if given).
  std::vector<Ser2netAddress> Addresses(absl::string_view text, const Ser2netOrigin& origin,
                                        Ser2netConnection* c) {
    const std::vector<std::string> parts = SplitTop(text);
    size_t i = 0;
    bool telnet = false;
    std::optional<bool> rfc2217;
    auto error = [&](absl::string_view what) {
      diag_->Error(origin.line, absl::StrCat("'", origin.text, "': ", what));
    };
    while (i < parts.size()) {
      std::string layer = parts[i];
      std::string args;
      if (const size_t paren = layer.find('('); paren != std::string::npos) {
        args = std::string(absl::StripSuffix(layer.substr(paren + 1), ")"));
        layer = layer.substr(0, paren);
      }
      layer = absl::AsciiStrToLower(layer);
      if (layer == "tcp") {
        if (!args.empty()) {
          error(absl::StrCat("tcp(", args, "): TCP options are not supported"));
          return {};
        }
        ++i;
        break;
      }
      if (layer == "telnet") {
        telnet = true;
        for (absl::string_view arg : absl::StrSplit(args, ',', absl::SkipWhitespace())) {
          arg = absl::StripAsciiWhitespace(arg);
          const std::string a = absl::AsciiStrToLower(arg);
          if (a == "rfc2217" || absl::StartsWith(a, "rfc2217=")) {
            rfc2217 = ParseSer2netBool(a.size() > 8 ? absl::string_view(a).substr(8) : "");
            if (!rfc2217) {
              error(absl::StrCat("telnet(", arg, "): expected true or false"));
              return {};
            }
          } else {
            error(absl::StrCat("telnet(", arg,
                               "): telnet options other than rfc2217 are not "
                               "supported"));
            return {};
          }
        }
        ++i;
        continue;
      }
      error(absl::StrCat("'", layer,
                         "' is not supported: ttyhub listens on plain TCP, raw, "
                         "with telnet or with telnet and RFC 2217"));
      return {};
    }
    if (i == 0 || absl::AsciiStrToLower(parts[i - 1]).rfind("tcp", 0) != 0) {
      error("expected tcp, as in tcp,2000 or telnet,tcp,2000");
      return {};
    }
    std::vector<Ser2netAddress> addresses;
    while (i < parts.size()) {
      std::string family;
      const std::string lower = absl::AsciiStrToLower(parts[i]);
      if (lower == "ipv4" || lower == "ipv6" || lower == "ipv6n4") {
        family = lower;
        ++i;
      }
      if (i >= parts.size()) break;
      std::string host, port;
      if (i + 1 < parts.size() && !AllDigits(parts[i])) {
        host = parts[i];
        port = parts[i + 1];
        i += 2;
      } else {
        port = parts[i];
        i += 1;
      }
      auto a = MakeSer2netAddress(family, host, port);
      if (!a.ok()) {
        error(a.status().message());
        return {};
      }
      addresses.push_back(*a);
    }
    if (addresses.empty()) {
      error("no port given");
      return {};
    }
    if (c != nullptr) {
      c->telnet.Set(telnet, origin);
      if (!telnet) {
        c->rfc2217.Set(false, origin);
      } else if (rfc2217) {
        c->rfc2217.Set(*rfc2217, origin);
      }
    }
    return addresses;
  }

  void Accepter(const std::string& text, const Ser2netOrigin& origin, Ser2netConnection* c) {
    c->accepter_text = text;
    c->accepter_origin = origin;
    c->addresses = Addresses(text, origin, c);
  }

  void Connector(const std::string& text, const Ser2netOrigin& origin, Ser2netConnection* c) {
    c->connector_text = text;
    c->device_origin = origin;
    std::vector<std::string> words;
    for (const std::string& part : SplitTop(text)) {
      for (absl::string_view w :
           absl::StrSplit(part, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty())) {
        words.emplace_back(w);
      }
    }
    if (words.empty()) return;
    std::string type = absl::AsciiStrToLower(words[0]);
    if (const size_t paren = type.find('('); paren != std::string::npos) {
      diag_->Error(origin.line,
                   absl::StrCat("'", words[0], "': options of the ", type.substr(0, paren),
                                " connector are not supported"));
      return;
    }
    if (type == "echo") {
      c->echo = true;
      if (words.size() > 1) {
        diag_->Error(origin.line, absl::StrCat("'", origin.text, "': echo takes no parameters"));
      }
      return;
    }
    if (type != "serialdev" && type != "sdev") {
      diag_->Error(origin.line,
                   absl::StrCat("'", origin.text, "': the ", words[0],
                                " connector is not supported: ttyhub serves serial devices "
                                "(serialdev) and its built-in echo device"));
      return;
    }
    if (words.size() < 2 || words[1].empty() || words[1][0] != '/') {
      diag_->Error(origin.line,
                   absl::StrCat("'", origin.text, "': expected serialdev,/dev/DEVICE,OPTIONS"));
      return;
    }
    c->device = words[1];
    for (size_t i = 2; i < words.size(); ++i) {
      const Ser2netOrigin word{origin.line, words[i]};
      if (!ApplySer2netSerialWord(words[i], word, c, diag_)) {
        diag_->Error(origin.line, absl::StrCat("unknown serialdev parameter '", words[i], "'"));
      }
    }
  }

  void Default(int line, bool remove, const Node& value) {
    const char* what = remove ? "delete_default" : "default";
    if (value.kind != Node::Kind::kMap) {
      diag_->Error(line, absl::StrCat(what, ": expected a mapping with name, value and class"));
      return;
    }
    std::string name, val, cls;
    for (const auto& [k, v] : value.entries) {
      auto key = Key(k);
      if (!key) continue;
      auto text = Value(v, *key);
      if (!text) return;
      if (*key == "name") {
        name = *text;
      } else if (*key == "value" && !remove) {
        val = *text;
      } else if (*key == "class") {
        cls = *text;
      } else {
        diag_->Error(k.line, absl::StrCat("unknown key '", *key, "' in ", what));
        return;
      }
    }
    if (name.empty()) {
      diag_->Error(line, absl::StrCat(what, ": no name given"));
      return;
    }
    std::string text = absl::StrCat(what, " ", name);
    if (!remove) absl::StrAppend(&text, ": ", val);
    if (!cls.empty()) absl::StrAppend(&text, " (class ", cls, ")");
    const Ser2netOrigin origin{line, Excerpt(text)};
    if (remove) {
      defaults_.Delete(name, cls, origin, diag_);
    } else {
      defaults_.Set(name, cls, val, origin, diag_);
    }
  }

  void Admin(int line, const Node& value) {
    if (value.kind != Node::Kind::kMap) {
      diag_->Error(line, "admin: expected a mapping with accepter and options");
      return;
    }
    std::optional<Ser2netAdmin> admin;
    for (const auto& [k, v] : value.entries) {
      auto key = Key(k);
      if (!key) continue;
      if (*key == "options") {
        if (v.kind == Node::Kind::kNull) continue;
        if (v.kind != Node::Kind::kMap) {
          diag_->Error(v.line, "options: expected a mapping");
          continue;
        }
        for (const auto& [ok, ov] : v.entries) {
          auto name = Key(ok);
          auto text = Value(ov, "option");
          if (!name || !text) continue;
          if ((*name == "authdir-admin" || *name == "pamauth-admin") && !text->empty()) {
            diag_->Error(ok.line, absl::StrCat("'", *name, ": ", *text,
                                               "' is not supported: ttyhub's admin API "
                                               "authenticates with a token (admin: token_file:)"));
          } else if (*name != "authdir-admin" && *name != "pamauth-admin") {
            diag_->Error(ok.line, absl::StrCat("unknown admin option '", *name, "'"));
          }
        }
        continue;
      }
      if (*key != "accepter") {
        diag_->Error(k.line, absl::StrCat("unknown key '", *key,
                                          "' in admin (ser2net knows accepter and options)"));
        continue;
      }
      auto text = Value(v, "accepter");
      if (!text) continue;
      const Ser2netOrigin origin{v.line, Excerpt(absl::StrCat("admin accepter: ", *text))};
      const std::vector<Ser2netAddress> addresses = Addresses(*text, origin, nullptr);
      if (addresses.size() > 1) {
        diag_->Error(v.line, "ttyhub's admin API listens on one address");
      } else if (addresses.size() == 1) {
        admin = Ser2netAdmin{origin, addresses[0].host, addresses[0].port, addresses[0].localhost};
      }
    }
    if (file_.admin) {
      diag_->Error(line, absl::StrCat("admin: a second admin block (the first is on line ",
                                      file_.admin->origin.line, ")"));
      return;
    }
    if (admin) {
      file_.admin = admin;
    } else {
      diag_->Error(line, "admin: no accepter given");
    }
  }

  Ser2netDiagnostics* diag_;
  Ser2netFile file_;
  Ser2netDefaults defaults_;
  std::map<std::string, std::string> aliases_;  // ser2net's alias table: name -> text
  std::set<std::string> names_;                 // connection names
};

}  // namespace

Ser2netFile ParseSer2netYaml(absl::string_view text, Ser2netDiagnostics* diag) {
  return YamlReader(diag).Read(text);
}

}  // namespace ttyhub
