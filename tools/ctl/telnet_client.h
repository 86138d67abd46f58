// TelnetClient: the minimal NVT client side of telnet (RFC 854/855) that
// `ttyhubctl connect` speaks on telnet and rfc2217 listeners. Pure: bytes in,
// bytes out, no I/O, so it is unit tested against the exact sequences
// ttyhub sends (docs/protocols.md).
//
// Negotiation: it accepts what a console needs and refuses the rest, with
// RFC 1143's rule that a request for the state already in force is not
// answered, so negotiation cannot loop:
//   - the server's WILL ECHO, WILL SGA and WILL BINARY are accepted (DO):
//     the device echoes, characters flow one at a time, 8-bit clean;
//   - the server's DO SGA and DO BINARY are accepted (WILL);
//   - every other WILL is refused with DONT, every other DO with WONT
//     (no NAWS, TTYPE, local ECHO or COM-PORT-OPTION);
//   - a WONT or DONT turns the option off, answered once.
// It opens no negotiation of its own: ttyhub offers all of the above on
// connect.
//
// Data from the server: IAC IAC becomes 0xFF; other commands (NOP, GA, DM,
// ...) and subnegotiations are dropped; until the server
// sends BINARY, CR NUL becomes CR. Data to the server: 0xFF is doubled; until
// this side sends BINARY, a CR is sent as CR NUL (the NVT's bare CR), which
// ttyhub turns back into one CR.
//
// Owned by the connect session's thread (ttyhubctl is single-threaded).
#ifndef TTYHUB_TOOLS_CTL_TELNET_CLIENT_H_
#define TTYHUB_TOOLS_CTL_TELNET_CLIENT_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ttyhub::ctl {

class TelnetClient {
 public:
  // Option codes (RFC 856, 857, 858).
  static constexpr uint8_t kBinary = 0;
  static constexpr uint8_t kEcho = 1;
  static constexpr uint8_t kSga = 3;

  // Decodes bytes from the server. Returns the data for the terminal;
  // negotiation answers are appended to replies().
  std::string Receive(absl::string_view wire);

  // Encodes keystrokes for the server.
  std::string EncodeInput(absl::string_view keys) const;

  // IAC BRK: ttyhub sends a break of about 250 ms to the device.
  static std::string BreakCommand();

  // Answers owed to the server; the caller sends and clears them.
  std::string& replies() { return replies_; }

  // Whether the server sends BINARY (him) and whether this side does (us).
  bool server_binary() const { return him_[kBinary]; }
  bool client_binary() const { return us_[kBinary]; }
  bool server_echoes() const { return him_[kEcho]; }

 private:
  enum class State { kData, kCr, kIac, kOption, kSub, kSubIac };
  void Negotiate(uint8_t command, uint8_t option);
  void Reply(uint8_t command, uint8_t option);

  State state_ = State::kData;
  uint8_t command_ = 0;          // the WILL/WONT/DO/DONT awaiting its option
  std::array<bool, 256> him_{};  // options the server has on (it WILL)
  std::array<bool, 256> us_{};   // options this side has on (we WILL)
  std::string replies_;
};

}  // namespace ttyhub::ctl

#endif  // TTYHUB_TOOLS_CTL_TELNET_CLIENT_H_
