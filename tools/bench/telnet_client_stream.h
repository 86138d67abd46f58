// The client side of the byte streams the soak scenario's clients receive
// and send: raw, telnet and RFC 2217 (COM-PORT-OPTION).
//
// ClientStreamFilter turns what a client receives into the device's bytes
// for its verifier. It notices a refusal ("ttyhub: port NAME is full ...",
// sent before any data), and on telnet and RFC 2217 listeners it takes the
// telnet commands and subnegotiations out and un-doubles IAC IAC. Telnet
// data counts as device data only after the answer to the client's AYT
// ("[ttyhub: yes]"): the client sends its negotiation answers (BINARY both
// ways) before that AYT, the server acts on them in order, so every device
// byte after the answer is sent binary, without CR NUL stuffing. Bytes
// before it are dropped; verifiers join the stream anywhere.
//
// The Telnet*/Rfc2217* functions build what a client sends. The tool links
// nothing from the engine: the protocol constants are restated here.
// Owned by one soak client on the tool's single thread.
#ifndef TTYHUB_TOOLS_BENCH_TELNET_CLIENT_STREAM_H_
#define TTYHUB_TOOLS_BENCH_TELNET_CLIENT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/bench/pattern_reader.h"

namespace ttyhub::bench {

enum class ClientProtocol { kRaw, kTelnet, kRfc2217 };

// "raw", "telnet", "rfc2217" (as ttyhub's configuration spells them).
const char* ClientProtocolName(ClientProtocol p);

// What a telnet client sends on connect: agreement to the server's offers
// (BINARY and SGA both ways, the server's ECHO), WILL COM-PORT-OPTION if
// `rfc2217`, then AYT.
std::string TelnetClientHello(bool rfc2217);
// RFC 2217 SET-BAUDRATE (value escaped), FLOWCONTROL-SUSPEND and -RESUME.
std::string Rfc2217SetBaudRate(uint32_t baud);
std::string Rfc2217FlowControlSuspend();
std::string Rfc2217FlowControlResume();

class ClientStreamFilter : public ByteFilter {
 public:
  explicit ClientStreamFilter(ClientProtocol protocol) : protocol_(protocol) {}

  size_t Filter(uint8_t* data, size_t n) override;

  // The server sent its "port is full" refusal instead of data.
  bool refused() const { return refused_; }
  // Telnet: the AYT answer has arrived; raw: always.
  bool synced() const { return protocol_ == ClientProtocol::kRaw || synced_; }
  // Telnet commands (IAC x, negotiations) and complete subnegotiations
  // received (RFC 2217 answers and notifications).
  uint64_t commands() const { return commands_; }
  uint64_t subnegotiations() const { return subnegotiations_; }

 private:
  enum class TelnetState { kData, kIac, kOption, kSb, kSbIac };
  // Whether `byte`, the next byte before any device data, continues the
  // refusal text; decides refused_ once it can.
  void MatchRefusal(uint8_t byte);
  // A telnet data byte before the AYT answer; advances the match.
  void MatchAytAnswer(uint8_t byte);

  ClientProtocol protocol_;
  TelnetState state_ = TelnetState::kData;
  bool refusal_decided_ = false;
  bool refused_ = false;
  size_t refusal_matched_ = 0;  // bytes of kRefusalPrefix seen
  bool synced_ = false;
  size_t ayt_matched_ = 0;  // bytes of the AYT answer seen
  uint64_t commands_ = 0;
  uint64_t subnegotiations_ = 0;
};

}  // namespace ttyhub::bench

#endif  // TTYHUB_TOOLS_BENCH_TELNET_CLIENT_STREAM_H_
