// Zero-copy telnet output planning. See telnet_encoder.h.
#include "engine/telnet_encoder.h"

#include <cstring>

namespace ttyhub {
namespace {

constexpr uint8_t kIacByte = 0xFF;
constexpr uint8_t kNulByte = 0x00;

// Position of the next byte needing an escape in data[from, len), or len.
size_t NextSpecial(const uint8_t* data, size_t from, size_t len, bool binary) {
  if (binary) {
    const void* p = std::memchr(data + from, kIacByte, len - from);
    return p ? static_cast<size_t>(static_cast<const uint8_t*>(p) - data) : len;
  }
  for (size_t i = from; i < len; ++i) {
    if (data[i] == kIacByte) return i;
    // A CR needs a NUL unless LF follows. At the end of the span the next
    // byte is unknown: send CR NUL; a following LF then shows as CR NUL LF,
    // which terminals display as CR LF.
    if (data[i] == '\r' && (i + 1 == len || data[i + 1] != '\n')) return i;
  }
  return len;
}

}  // namespace

void TelnetEncoder::Plan(const uint8_t* data, size_t len, bool binary, TelnetSendPlan* plan) {
  plan->iovcnt = 0;
  plan->data_bytes = 0;
  plan->wire_bytes = 0;
  size_t pos = 0;
  while (pos < len && plan->iovcnt <= TelnetSendPlan::kMaxIov - 2) {
    const size_t special = NextSpecial(data, pos, len, binary);
    const size_t end = special < len ? special + 1 : len;  // include the special byte
    iovec& d = plan->iov[plan->iovcnt];
    d.iov_base = const_cast<uint8_t*>(data + pos);
    d.iov_len = end - pos;
    plan->escape[plan->iovcnt++] = false;
    plan->data_bytes += end - pos;
    plan->wire_bytes += end - pos;
    if (special < len) {
      iovec& e = plan->iov[plan->iovcnt];
      e.iov_base = const_cast<uint8_t*>(data[special] == kIacByte ? &kIacByte : &kNulByte);
      e.iov_len = 1;
      plan->escape[plan->iovcnt++] = true;
      plan->wire_bytes += 1;
    }
    pos = end;
  }
}

void TelnetEncoder::AppendEncoded(const uint8_t* data, size_t len, bool binary, std::string* out) {
  TelnetSendPlan plan;
  for (size_t pos = 0; pos < len; pos += plan.data_bytes) {
    Plan(data + pos, len - pos, binary, &plan);
    for (int i = 0; i < plan.iovcnt; ++i) {
      out->append(static_cast<const char*>(plan.iov[i].iov_base), plan.iov[i].iov_len);
    }
  }
}

void TelnetEncoder::Account(const TelnetSendPlan& plan, size_t wire_sent, size_t* data_consumed,
                            bool* escape_owed, uint8_t* owed_byte) {
  *data_consumed = 0;
  *escape_owed = false;
  size_t left = wire_sent;
  for (int i = 0; i < plan.iovcnt; ++i) {
    const size_t len = plan.iov[i].iov_len;
    if (plan.escape[i]) {
      if (left == 0) {
        *escape_owed = true;
        *owed_byte = *static_cast<const uint8_t*>(plan.iov[i].iov_base);
        return;
      }
      left -= 1;
      continue;
    }
    const size_t take = left < len ? left : len;
    *data_consumed += take;
    left -= take;
    if (take < len) return;
    // A data span fully sent: if an escape follows and nothing is left, it
    // is owed (handled at the top of the next iteration).
    if (left == 0 && !(i + 1 < plan.iovcnt && plan.escape[i + 1])) return;
  }
}

}  // namespace ttyhub
