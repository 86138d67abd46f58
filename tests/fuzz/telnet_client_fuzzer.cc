// libFuzzer target: arbitrary bytes from a remote server through the
// client side of telnet and RFC 2217 (TelnetClientSession, Rfc2217Client),
// as a port whose device is telnet:// or rfc2217:// reads them.
//
// The first input byte picks options (rfc2217 or plain telnet, how the rest
// is split into reads, whether settings are requested first); the rest is
// the server's byte stream. Checks invariants, not just absence of crashes:
// decoded data is never longer than its input, answers to the server stay
// bounded per input byte, reported settings are always ones ttyhub could
// apply, and data encoded for the server decodes back to itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/serial_settings.h"
#include "engine/rfc2217_client.h"
#include "engine/telnet_client_session.h"
#include "engine/telnet_decoder.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

bool Applicable(const ttyhub::SerialSettings& s) {
  return s.baud >= ttyhub::kMinBaudRate && s.baud <= ttyhub::kMaxBaudRate && s.data_bits >= 5 &&
         s.data_bits <= 8 && (s.stop_bits == 1 || s.stop_bits == 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data;
  --size;
  ttyhub::TelnetClientSession session((mode & 1) != 0);
  session.Start();
  if ((mode & 2) != 0) {
    ttyhub::SerialSettings wanted;
    wanted.baud = 115200;
    wanted.parity = ttyhub::Parity::kEven;
    session.comport().RequestSettings(wanted, true, &session.output());
  }
  session.output().clear();
  const size_t chunk = 1 + (mode >> 2);  // 1..64-byte reads
  std::vector<uint8_t> buf;
  size_t answers = 0;
  for (size_t off = 0; off < size; off += chunk) {
    const size_t n = std::min(chunk, size - off);
    buf.assign(data + off, data + off + n);
    const size_t out = session.Decode(buf.data(), n);
    Check(out <= n);
    answers += session.output().size();
    session.output().clear();
    if (auto reported = session.comport().TakeReportedSettings()) Check(Applicable(*reported));
    (void)session.TakeComPortStarted();
  }
  // Every answer replies to a few input bytes at most: bounded growth.
  Check(answers <= 64 + 8 * size);
  Check(session.comport().signature().size() <= size);

  // The same bytes as data toward the server: escaped, they decode back.
  std::string wire;
  session.EncodeData(std::string(reinterpret_cast<const char*>(data), size), &wire);
  ttyhub::TelnetDecoder decoder;
  decoder.set_binary(session.binary_to_server());
  std::vector<uint8_t> back(wire.begin(), wire.end());
  std::vector<ttyhub::TelnetEvent> events;
  const size_t decoded = decoder.Decode(back.data(), back.size(), &events);
  Check(events.empty());
  Check(decoded == size);
  Check(std::equal(back.begin(), back.begin() + decoded, data));
  return 0;
}
