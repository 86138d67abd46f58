// In-place telnet decoding. See telnet_decoder.h.
#include "engine/telnet_decoder.h"

#include "engine/telnet_protocol.h"

namespace ttyhub {

using namespace telnet;  // NOLINT: the wire constants read best unqualified here

size_t TelnetDecoder::Decode(uint8_t* buf, size_t n, std::vector<TelnetEvent>* events) {
  size_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = buf[i];
    switch (state_) {
      case State::kCr:
        state_ = State::kData;
        if (b == 0 || b == '\n') break;  // CR NUL and CR LF: the CR already went out
        [[fallthrough]];
      case State::kData:
        if (b == kIac) {
          state_ = State::kIac;
        } else {
          buf[out++] = b;
          if (b == '\r' && !binary_) state_ = State::kCr;
        }
        break;
      case State::kIac:
        state_ = State::kData;
        switch (b) {
          case kIac:
            buf[out++] = kIac;
            break;  // escaped 0xFF
          case kWill:
          case kWont:
          case kDo:
          case kDont:
            verb_ = b;
            state_ = State::kVerb;
            break;
          case kSb:
            state_ = State::kSbOption;
            break;
          case kBrk:
          case kIp:
          case kAo:
          case kAyt:
          case kEc:
          case kEl:
            events->push_back({TelnetEvent::Kind::kCommand, b, {}, false, out});
            break;
          case kNop:
          case kDm:
          case kGa:
            break;
          default:
            ++protocol_errors_;
            break;  // IAC SE outside SB, or an unknown command
        }
        break;
      case State::kVerb: {
        const TelnetEvent::Kind kind = verb_ == kWill   ? TelnetEvent::Kind::kWill
                                       : verb_ == kWont ? TelnetEvent::Kind::kWont
                                       : verb_ == kDo   ? TelnetEvent::Kind::kDo
                                                        : TelnetEvent::Kind::kDont;
        events->push_back({kind, b, {}, false, out});
        // The session always accepts BINARY from the client, so the bytes
        // right after WILL/WONT BINARY are already decoded the new way.
        if (b == kOptBinary &&
            (kind == TelnetEvent::Kind::kWill || kind == TelnetEvent::Kind::kWont)) {
          binary_ = kind == TelnetEvent::Kind::kWill;
        }
        state_ = State::kData;
        break;
      }
      case State::kSbOption:
        sub_ = {TelnetEvent::Kind::kSubnegotiation, b, {}, false};
        state_ = State::kSbData;
        break;
      case State::kSbData:
        if (b == kIac) {
          state_ = State::kSbIac;
        } else if (sub_.payload.size() < kMaxSubnegotiation) {
          sub_.payload.push_back(static_cast<char>(b));
        } else {
          sub_.truncated = true;
        }
        break;
      case State::kSbIac:
        if (b == kIac) {
          state_ = State::kSbData;
          if (sub_.payload.size() < kMaxSubnegotiation) {
            sub_.payload.push_back(static_cast<char>(kIac));
          } else {
            sub_.truncated = true;
          }
        } else if (b == kSe) {
          state_ = State::kData;
          if (sub_.truncated) ++protocol_errors_;
          sub_.at = out;
          events->push_back(std::move(sub_));
          sub_ = {};
        } else {
          // IAC <command> inside a subnegotiation: the client abandoned it.
          // Drop what was collected and treat this as a command after IAC.
          ++protocol_errors_;
          sub_ = {};
          state_ = State::kIac;
          --i;  // reprocess `b` in state kIac
        }
        break;
    }
  }
  return out;
}

}  // namespace ttyhub
