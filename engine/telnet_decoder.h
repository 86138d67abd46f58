// TelnetDecoder: parses the telnet byte stream a client sends.
//
// Decoding happens in place: the caller receives straight into the port's
// input queue, Decode() compacts the data bytes to the front of that span
// (IAC IAC becomes one 0xFF; without BINARY, CR NUL and CR LF become CR) and
// reports commands, negotiations and subnegotiations as events. The output
// is never longer than the input, so no buffer is needed.
//
// All state is bounded: a subnegotiation longer than kMaxSubnegotiation is
// consumed to its end and reported truncated; NOP, DM, GA and stray bytes
// produce nothing. One decoder per client, on the client's worker thread.
#ifndef TTYHUB_ENGINE_TELNET_DECODER_H_
#define TTYHUB_ENGINE_TELNET_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ttyhub {

struct TelnetEvent {
  enum class Kind : uint8_t {
    kCommand,  // `code` is BRK, IP, AO, AYT, EC, EL
    kWill,     // `code` is the option
    kWont,
    kDo,
    kDont,
    kSubnegotiation,  // `code` is the option; `payload` the bytes after it
  };
  Kind kind;
  uint8_t code;
  std::string payload;     // unescaped; at most kMaxSubnegotiation bytes
  bool truncated = false;  // the subnegotiation was longer and was cut
  // Where the command stands in the data stream: the number of data bytes
  // Decode() returned before it (the caller may rebase it to a stream
  // position). A command takes effect between the bytes it stands between.
  uint64_t at = 0;
};

class TelnetDecoder {
 public:
  // Longest subnegotiation payload kept (bytes). RFC 2217's longest is a
  // signature; 256 is generous.
  static constexpr size_t kMaxSubnegotiation = 256;

  // Whether the client sends in BINARY mode. The decoder also follows the
  // client's own WILL/WONT BINARY as it meets them (the session always
  // agrees), so bytes after them in the same read are decoded correctly.
  // Without BINARY, CR NUL and CR LF mean CR.
  void set_binary(bool on) { binary_ = on; }
  bool binary() const { return binary_; }

  // Decodes buf[0, n) in place. Returns how many data bytes now sit at the
  // front of buf. Appends events, in stream order, to *events.
  size_t Decode(uint8_t* buf, size_t n, std::vector<TelnetEvent>* events);

  // Subnegotiations cut for length, and commands that made no sense, so far.
  uint64_t protocol_errors() const { return protocol_errors_; }

 private:
  enum class State : uint8_t { kData, kCr, kIac, kVerb, kSbOption, kSbData, kSbIac };

  State state_ = State::kData;
  bool binary_ = false;
  uint8_t verb_ = 0;  // WILL/WONT/DO/DONT awaiting its option
  TelnetEvent sub_;   // the subnegotiation being collected
  uint64_t protocol_errors_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TELNET_DECODER_H_
