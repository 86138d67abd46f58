// Rfc2217Client: the client side of COM-PORT-OPTION (RFC 2217), for a port
// whose device is `rfc2217://HOST:PORT` (NetworkDevice).
//
// Encodes requests (SET-BAUDRATE, SET-DATASIZE, SET-PARITY, SET-STOPSIZE,
// SET-CONTROL for flow control, break, DTR and RTS, PURGE-DATA, SIGNATURE)
// and decodes the server's answers (code + 100). The server answers every
// SET with the value now in force, which may not be the value asked for
// (a read-only client, a refused speed); those answers, not the requests,
// become the settings the port reports: once every settings request sent
// has been answered, TakeReportedSettings() hands them over, one report per
// batch of requests rather than one per field.
//
// Pure: bytes in, bytes out, no I/O. Values are IAC-escaped, frames are
// IAC SB COM-PORT <code> <value> IAC SE. One per NetworkDevice, on its
// port's worker thread.
#ifndef TTYHUB_ENGINE_RFC2217_CLIENT_H_
#define TTYHUB_ENGINE_RFC2217_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "config/serial_settings.h"

namespace ttyhub {

class Rfc2217Client {
 public:
  // Appends the requests that set the remote port to `wanted`: every field
  // if `everything` (a new connection), else only the fields that differ
  // from what was last requested.
  void RequestSettings(const SerialSettings& wanted, bool everything, std::string* out);
  // SIGNATURE with an empty value: asks for the server's.
  static void RequestSignature(std::string* out);
  // SET-CONTROL BREAK-ON / BREAK-OFF.
  static void RequestBreak(bool on, std::string* out);
  // SET-CONTROL DTR and/or RTS on or off (kModemDtr, kModemRts bits).
  static void RequestOutputLines(int bits, bool on, std::string* out);
  // PURGE-DATA: the server's receive buffer (`rx`), transmit buffer (`tx`), or both.
  static void RequestPurge(bool rx, bool tx, std::string* out);
  // Queries (value 0) for the speed, data size, parity, stop size and flow
  // control in force; their answers are awaited and reported like those of
  // RequestSettings (a CUSE listener learns its port's settings this way).
  void RequestCurrentSettings(std::string* out);
  // NOTIFY-MODEMSTATE as a query: the server answers with the modem state.
  static void RequestModemState(std::string* out);
  // SET-CONTROL "query DTR": a request whose answer, since a server answers
  // in order, says that every request sent before it was acted on.
  static void RequestSync(std::string* out);

  // One COM-PORT subnegotiation from the server: the payload after the
  // option byte (unescaped, as TelnetDecoder reports it).
  void HandleAnswer(absl::string_view payload);

  // The settings in force on the remote port, once every settings request
  // sent has been answered and something was answered since the last call.
  std::optional<SerialSettings> TakeReportedSettings();
  // Settings answers still awaited.
  int awaited_answers() const { return awaited_; }
  // Stops waiting for answers that never came (the caller's timeout): the
  // fields answered so far are reported, the others keep their requested
  // values.
  void StopAwaiting() { awaited_ = 0; }

  // What the server said SIGNATURE is ("" until it said).
  const std::string& signature() const { return signature_; }
  // The last NOTIFY-MODEMSTATE (CTS/DSR/RI/DCD and deltas), if any came.
  std::optional<uint8_t> modem_state() const { return modem_state_; }
  // Answers that made no sense (wrong length, unknown code).
  uint64_t protocol_errors() const { return protocol_errors_; }
  // Answers received to requests, counting every COM-PORT answer except
  // the NOTIFY-LINESTATE/MODEMSTATE ones (which a server also sends
  // unasked). Each request above, but SIGNATURE and RequestModemState, gets
  // exactly one, in order.
  uint64_t answers() const { return answers_; }

 private:
  std::optional<SerialSettings> requested_;  // what was last asked for
  SerialSettings reported_;                  // requested_, with the answers received applied
  int awaited_ = 0;                          // settings answers not yet received
  bool answered_ = false;                    // an answer arrived since the last report
  std::string signature_;
  std::optional<uint8_t> modem_state_;
  uint64_t protocol_errors_ = 0;
  uint64_t answers_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_RFC2217_CLIENT_H_
