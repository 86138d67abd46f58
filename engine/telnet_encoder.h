// TelnetEncoder: device bytes to telnet wire bytes, without copying them.
//
// Toward a telnet client, 0xFF must be sent as IAC IAC and, outside BINARY
// mode, a CR that is not followed by LF as CR NUL. Instead of copying the
// stream per client, Plan() describes one send as iovecs that alternate
// between spans of the port's ring and one-byte escapes from static storage.
// After a partial send, Account() maps the wire bytes sent back to ring bytes
// consumed, and says whether an escape byte is still owed (its data byte
// went out, the escape did not). Pure; used by one ClientConnection.
#ifndef TTYHUB_ENGINE_TELNET_ENCODER_H_
#define TTYHUB_ENGINE_TELNET_ENCODER_H_

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ttyhub {

struct TelnetSendPlan {
  static constexpr int kMaxIov = 64;  // one send: up to 32 escapes
  iovec iov[kMaxIov];
  bool escape[kMaxIov];  // iov[i] is a one-byte escape, not ring data
  int iovcnt = 0;
  size_t data_bytes = 0;  // ring bytes covered
  size_t wire_bytes = 0;  // bytes on the wire
};

class TelnetEncoder {
 public:
  // Plans a send of data[0, len). `binary`: the client accepted BINARY from
  // us, so CR needs no NUL.
  static void Plan(const uint8_t* data, size_t len, bool binary, TelnetSendPlan* plan);

  // After `wire_sent` bytes of `plan` went out: ring bytes consumed, and the
  // escape byte owed (if the send stopped between a data byte and its escape).
  static void Account(const TelnetSendPlan& plan, size_t wire_sent, size_t* data_consumed,
                      bool* escape_owed, uint8_t* owed_byte);

  // Appends data[0, len) to `*out` as wire bytes, escaped as Plan() would.
  // A copy, for the rare bytes that do not come from the ring (history read
  // back from the console log).
  static void AppendEncoded(const uint8_t* data, size_t len, bool binary, std::string* out);
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TELNET_ENCODER_H_
