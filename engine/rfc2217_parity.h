// RFC 2217 SET-PARITY values and ttyhub's Parity, both ways: what the
// server side (Rfc2217Handler) and the client side (Rfc2217Client) both
// speak. Pure; any thread.
#ifndef TTYHUB_ENGINE_RFC2217_PARITY_H_
#define TTYHUB_ENGINE_RFC2217_PARITY_H_

#include <cstdint>

#include "config/serial_settings.h"
#include "engine/telnet_protocol.h"

namespace ttyhub::telnet::comport {

// The wire value for `p` (RFC 2217: 1 none, 2 odd, 3 even, 4 mark, 5 space).
inline uint8_t ParityCode(Parity p) {
  switch (p) {
    case Parity::kNone:
      return kParityNone;
    case Parity::kOdd:
      return kParityOdd;
    case Parity::kEven:
      return kParityEven;
    case Parity::kMark:
      return kParityMark;
    case Parity::kSpace:
      return kParitySpace;
  }
  return kParityNone;
}

// Whether `code` names a parity (0, "request the current value", does not).
inline bool IsParityCode(uint8_t code) { return code >= kParityNone && code <= kParitySpace; }

// The parity a valid `code` names (IsParityCode); kNone otherwise.
inline Parity ParityFromCode(uint8_t code) {
  return code == kParityOdd     ? Parity::kOdd
         : code == kParityEven  ? Parity::kEven
         : code == kParityMark  ? Parity::kMark
         : code == kParitySpace ? Parity::kSpace
                                : Parity::kNone;
}

}  // namespace ttyhub::telnet::comport

#endif  // TTYHUB_ENGINE_RFC2217_PARITY_H_
