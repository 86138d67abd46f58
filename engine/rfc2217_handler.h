// Rfc2217Handler: the server side of COM-PORT-OPTION (RFC 2217).
//
// Takes each COM-PORT subnegotiation a client sends, applies it through
// SerialLineControl, and appends the answer (subcommand + 100) to the
// client's output. A value of 0 is a query. An ro client's change requests
// are answered with the current value and not applied; its PURGE-DATA acts
// on its own stream only (see Handle). Notifications of
// modem and line state honour the masks the client set. Where ser2net is
// known to go wrong, this does not: FLOWCONTROL-SUSPEND pauses output to the
// client (it does not change flow control), MARK/SPACE parity is cleared for
// EVEN/ODD (see serial_termios.cc), the break state is the real one, masks
// are acknowledged, and PURGE-DATA answers with the purge asked for.
// One per rfc2217 client, on its worker thread.
#ifndef TTYHUB_ENGINE_RFC2217_HANDLER_H_
#define TTYHUB_ENGINE_RFC2217_HANDLER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/serial_line_control.h"

namespace ttyhub {

class Rfc2217Handler {
 public:
  Rfc2217Handler(SerialLineControl& line, std::string signature)
      : line_(line), signature_(std::move(signature)) {}

  // One subnegotiation payload (after the option byte). Appends the wire
  // answer, if any, to *out (already IAC-escaped, framed IAC SB ... IAC SE).
  void Handle(absl::string_view payload, std::string* out);

  // Modem input lines changed (bits as ModemState()): sends
  // NOTIFY-MODEMSTATE with delta bits if the mask allows.
  void OnModemState(uint8_t state, std::string* out);
  // Line errors seen (LINESTATE bits): NOTIFY-LINESTATE if the mask allows.
  void OnLineState(uint8_t state, std::string* out);

  uint8_t modemstate_mask() const { return modemstate_mask_; }
  uint8_t linestate_mask() const { return linestate_mask_; }
  uint64_t protocol_errors() const { return protocol_errors_; }

  // Frames one answer: IAC SB COM-PORT (code + 100) value IAC SE.
  static void AppendAnswer(uint8_t code, absl::string_view value, std::string* out);

 private:
  void SetBaud(absl::string_view v, std::string* out);
  void SetByteSetting(uint8_t code, absl::string_view v, std::string* out);
  void SetControl(absl::string_view v, std::string* out);
  uint8_t FlowValue(bool inbound) const;

  SerialLineControl& line_;
  std::string signature_;
  // RFC 2217 defaults: all modem state changes, no line state.
  uint8_t modemstate_mask_ = 0xFF;
  uint8_t linestate_mask_ = 0;
  uint8_t last_modemstate_ = 0;
  bool modemstate_known_ = false;
  uint64_t protocol_errors_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_RFC2217_HANDLER_H_
