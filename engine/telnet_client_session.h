// TelnetClientSession: the client side of telnet (RFC 854/855), for a port
// whose device is `telnet://HOST:PORT` or `rfc2217://HOST:PORT`
// (NetworkDevice), with RFC 2217's COM-PORT-OPTION on the latter.
//
// Negotiation. On connect it offers WILL BINARY, DO BINARY, DO SGA, WILL
// SGA and, for rfc2217, WILL COM-PORT-OPTION. It accepts the server's
// WILL BINARY/SGA/ECHO (the remote device echoes; ttyhub never does) and
// DO BINARY/SGA (and COM-PORT for rfc2217); it refuses every other option.
// RFC 1143's rule, never answer a request for the state an option is
// already in, plus a cap on answers per option, keeps negotiation from
// looping.
//
// Data. From the server: decoded in place by TelnetDecoder (IAC IAC is one
// 0xFF; until the server sends BINARY, CR NUL is CR); commands and
// negotiations never reach the port. To the server: 0xFF is doubled, and
// once the server refused our BINARY, CR is sent as CR NUL. Data sent after
// our WILL BINARY is binary, as ttyhub's own telnet listeners read it.
//
// COM-PORT answers go to the Rfc2217Client. Pure: bytes in, bytes out.
// One per NetworkDevice connection, on its port's worker thread.
#ifndef TTYHUB_ENGINE_TELNET_CLIENT_SESSION_H_
#define TTYHUB_ENGINE_TELNET_CLIENT_SESSION_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/rfc2217_client.h"
#include "engine/telnet_decoder.h"

namespace ttyhub {

class TelnetClientSession {
 public:
  explicit TelnetClientSession(bool rfc2217) : rfc2217_(rfc2217) {}

  // Queues the opening offers into output().
  void Start();

  // Decodes bytes from the server in place; returns how many data bytes now
  // sit at the front of buf. Negotiation answers go to output(), COM-PORT
  // answers to comport().
  size_t Decode(uint8_t* buf, size_t n);

  // Appends `data`, encoded for the server, to *out.
  void EncodeData(absl::string_view data, std::string* out) const;

  // Telnet IAC BRK, for telnet:// devices (a break of the server's choosing).
  static void AppendBreak(std::string* out);

  // Bytes to send to the server before any more data.
  std::string& output() { return output_; }

  // COM-PORT-OPTION is agreed (rfc2217 only): the server said DO (or WILL).
  bool comport_active() const;
  // True once, right after COM-PORT-OPTION became active: time to send the
  // settings.
  bool TakeComPortStarted();
  // The server refused COM-PORT-OPTION (DONT and WONT): settings cannot be
  // forwarded on this connection.
  bool comport_refused() const { return comport_refused_; }
  Rfc2217Client& comport() { return comport_; }

  // Whether data to the server is binary (our WILL BINARY stands).
  bool binary_to_server() const { return !us_[kBinarySlot].refused; }
  bool binary_from_server() const { return decoder_.binary(); }

  // Protocol errors seen: the decoder's and the COM-PORT answers'.
  uint64_t protocol_errors() const {
    return decoder_.protocol_errors() + comport_.protocol_errors();
  }

 private:
  struct Side {
    bool enabled = false;
    bool pending = false;  // we sent a request and await the answer
    bool refused = false;  // the server refused our request
    uint16_t answers = 0;  // replies sent; capped against hostile loops
  };
  enum Slot { kBinarySlot, kEchoSlot, kSgaSlot, kComPortSlot, kSlots };
  static constexpr uint16_t kMaxAnswersPerOption = 50;

  static int SlotOf(uint8_t option);
  bool WeWill(int slot) const;  // options we do ourselves
  bool HeMay(int slot) const;   // options we let the server do
  void Send(uint8_t verb, uint8_t option);
  void Answer(Side* side, uint8_t verb, uint8_t option);
  void Request(bool us, uint8_t option);
  void OnNegotiation(const TelnetEvent& e);

  const bool rfc2217_;
  TelnetDecoder decoder_;
  std::vector<TelnetEvent> events_;  // reused between Decode calls
  std::array<Side, kSlots> us_{};
  std::array<Side, kSlots> him_{};
  std::array<uint16_t, 256> refusals_{};  // WONT/DONT sent per unsupported option
  Rfc2217Client comport_;
  bool comport_started_ = false;  // TakeComPortStarted has said so
  bool comport_refused_ = false;
  std::string output_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TELNET_CLIENT_SESSION_H_
