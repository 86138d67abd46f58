// Telnet (RFC 854/855) and COM-PORT-OPTION (RFC 2217) wire constants.
#ifndef TTYHUB_ENGINE_TELNET_PROTOCOL_H_
#define TTYHUB_ENGINE_TELNET_PROTOCOL_H_

#include <cstdint>

namespace ttyhub::telnet {

// Commands.
inline constexpr uint8_t kSe = 240;  // end of subnegotiation
inline constexpr uint8_t kNop = 241;
inline constexpr uint8_t kDm = 242;   // data mark
inline constexpr uint8_t kBrk = 243;  // break
inline constexpr uint8_t kIp = 244;   // interrupt process
inline constexpr uint8_t kAo = 245;   // abort output
inline constexpr uint8_t kAyt = 246;  // are you there
inline constexpr uint8_t kEc = 247;   // erase character
inline constexpr uint8_t kEl = 248;   // erase line
inline constexpr uint8_t kGa = 249;   // go ahead
inline constexpr uint8_t kSb = 250;   // subnegotiation begin
inline constexpr uint8_t kWill = 251;
inline constexpr uint8_t kWont = 252;
inline constexpr uint8_t kDo = 253;
inline constexpr uint8_t kDont = 254;
inline constexpr uint8_t kIac = 255;

// Options.
inline constexpr uint8_t kOptBinary = 0;
inline constexpr uint8_t kOptEcho = 1;
inline constexpr uint8_t kOptSga = 3;       // suppress go-ahead
inline constexpr uint8_t kOptComPort = 44;  // RFC 2217

// COM-PORT-OPTION subcommands, client to server. The server answers with
// the same code plus kServerOffset.
namespace comport {
inline constexpr uint8_t kSignature = 0;
inline constexpr uint8_t kSetBaudrate = 1;
inline constexpr uint8_t kSetDatasize = 2;
inline constexpr uint8_t kSetParity = 3;
inline constexpr uint8_t kSetStopsize = 4;
inline constexpr uint8_t kSetControl = 5;
inline constexpr uint8_t kNotifyLinestate = 6;
inline constexpr uint8_t kNotifyModemstate = 7;
inline constexpr uint8_t kFlowcontrolSuspend = 8;
inline constexpr uint8_t kFlowcontrolResume = 9;
inline constexpr uint8_t kSetLinestateMask = 10;
inline constexpr uint8_t kSetModemstateMask = 11;
inline constexpr uint8_t kPurgeData = 12;
inline constexpr uint8_t kServerOffset = 100;

// SET-PARITY values.
inline constexpr uint8_t kParityNone = 1, kParityOdd = 2, kParityEven = 3, kParityMark = 4,
                         kParitySpace = 5;
// SET-STOPSIZE values.
inline constexpr uint8_t kStop1 = 1, kStop2 = 2, kStop15 = 3;

// SET-CONTROL values.
inline constexpr uint8_t kCtlQueryFlow = 0, kCtlFlowNone = 1, kCtlFlowXonXoff = 2,
                         kCtlFlowHardware = 3, kCtlQueryBreak = 4, kCtlBreakOn = 5,
                         kCtlBreakOff = 6, kCtlQueryDtr = 7, kCtlDtrOn = 8, kCtlDtrOff = 9,
                         kCtlQueryRts = 10, kCtlRtsOn = 11, kCtlRtsOff = 12, kCtlQueryFlowIn = 13,
                         kCtlFlowInNone = 14, kCtlFlowInXonXoff = 15, kCtlFlowInHardware = 16,
                         kCtlFlowDcd = 17, kCtlFlowInDtr = 18, kCtlFlowDsr = 19;

// PURGE-DATA values.
inline constexpr uint8_t kPurgeRx = 1, kPurgeTx = 2, kPurgeBoth = 3;

// NOTIFY-MODEMSTATE bits.
inline constexpr uint8_t kModemCtsDelta = 0x01, kModemDsrDelta = 0x02, kModemRiTrailing = 0x04,
                         kModemDcdDelta = 0x08, kStateCts = 0x10, kStateDsr = 0x20, kStateRi = 0x40,
                         kStateDcd = 0x80;
// NOTIFY-LINESTATE bits.
inline constexpr uint8_t kLineDataReady = 0x01, kLineOverrun = 0x02, kLineParity = 0x04,
                         kLineFraming = 0x08, kLineBreak = 0x10;
}  // namespace comport

}  // namespace ttyhub::telnet

#endif  // TTYHUB_ENGINE_TELNET_PROTOCOL_H_
