// libFuzzer target: arbitrary client bytes through the telnet/RFC 2217
// server side, and device bytes through the telnet encoder.
//
// The first input byte picks options (rfc2217 or plain telnet, ro or rw,
// how the rest is split into reads); the rest is the client's byte stream.
// Checks invariants, not just absence of crashes: decoded data is never
// longer than its input, answers stay bounded per input byte, and encoder
// plans account for every byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/telnet_encoder.h"
#include "engine/telnet_session.h"
#include "tests/engine/fake_serial_line.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data;
  --size;
  ttyhub::FakeSerialLine line;
  line.rw = (mode & 1) != 0;
  ttyhub::TelnetSession session((mode & 2) != 0, line, "fuzz");
  session.Start();
  session.output().clear();
  const size_t chunk = 1 + (mode >> 2);  // 1..64-byte reads
  std::vector<uint8_t> buf;
  size_t answers = 0;
  for (size_t off = 0; off < size; off += chunk) {
    const size_t n = std::min(chunk, size - off);
    buf.assign(data + off, data + off + n);
    const size_t out = session.DecodeInput(buf.data(), n, 0);
    Check(out <= n);
    session.ProcessEventsThrough(UINT64_MAX);
    answers += session.output().size();
    session.output().clear();
  }
  // Every answer is a reply to at most a few input bytes: bounded growth.
  // (A SIGNATURE answer is the longest: ~10 bytes of framing + the signature.)
  Check(answers <= 64 + 8 * size);

  // The same bytes as device output toward a telnet client.
  for (bool binary : {false, true}) {
    ttyhub::TelnetSendPlan plan;
    ttyhub::TelnetEncoder::Plan(data, size, binary, &plan);
    size_t wire = 0;
    for (int i = 0; i < plan.iovcnt; ++i) wire += plan.iov[i].iov_len;
    Check(wire == plan.wire_bytes);
    Check(plan.data_bytes <= size);
    Check(plan.wire_bytes <= 2 * plan.data_bytes);
    size_t consumed = 0;
    bool owed = false;
    uint8_t byte = 0;
    ttyhub::TelnetEncoder::Account(plan, plan.wire_bytes, &consumed, &owed, &byte);
    Check(consumed == plan.data_bytes && !owed);
  }
  return 0;
}
