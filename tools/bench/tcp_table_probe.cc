// See tcp_table_probe.h.
#include "tools/bench/tcp_table_probe.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace ttyhub::bench {
namespace {

constexpr absl::string_view kListenState = "0A";
constexpr absl::string_view kEstablishedState = "01";

// The port of "0100007F:4E20".
std::optional<uint16_t> PortOf(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return std::nullopt;
  const std::string hex(address.substr(colon + 1));
  return static_cast<uint16_t>(std::strtoul(hex.c_str(), nullptr, 16));
}

std::unordered_set<uint64_t> SocketInodes(pid_t pid) {
  std::unordered_set<uint64_t> inodes;
  const std::string dir = absl::StrCat("/proc/", pid, "/fd");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return inodes;
  char target[64];
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string link = absl::StrCat(dir, "/", e->d_name);
    const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    absl::string_view t(target, static_cast<size_t>(n));
    if (!absl::ConsumePrefix(&t, "socket:[") || !absl::ConsumeSuffix(&t, "]")) continue;
    uint64_t inode;
    if (absl::SimpleAtoi(t, &inode)) inodes.insert(inode);
  }
  closedir(d);
  return inodes;
}

void AddListening(const char* table, const std::unordered_set<uint64_t>& inodes,
                  std::set<uint16_t>* ports) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (f.size() < 10 || f[3] != kListenState) continue;
    uint64_t inode;
    if (!absl::SimpleAtoi(f[9], &inode) || !inodes.contains(inode)) continue;
    if (const std::optional<uint16_t> port = PortOf(f[1])) ports->insert(*port);
  }
}

}  // namespace

std::set<uint16_t> ListeningTcpPorts(pid_t pid) {
  std::set<uint16_t> ports;
  const std::unordered_set<uint64_t> inodes = SocketInodes(pid);
  if (inodes.empty()) return ports;
  AddListening("/proc/net/tcp", inodes, &ports);
  AddListening("/proc/net/tcp6", inodes, &ports);
  return ports;
}

std::set<uint16_t> AcceptedClientPorts(const std::set<uint16_t>& server_ports) {
  std::set<uint16_t> clients;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      if (f.size() < 10 || f[3] != kEstablishedState || f[9] == "0") continue;
      const std::optional<uint16_t> local = PortOf(f[1]);
      if (!local || !server_ports.contains(*local)) continue;
      if (const std::optional<uint16_t> remote = PortOf(f[2])) clients.insert(*remote);
    }
  }
  return clients;
}

bool AnyHeldConnection(const std::set<uint16_t>& server_ports) {
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      if (f.size() < 10 || f[3] == kListenState || f[9] == "0") continue;
      const std::optional<uint16_t> local = PortOf(f[1]);
      if (local && server_ports.contains(*local)) return true;
    }
  }
  return false;
}

}  // namespace ttyhub::bench
