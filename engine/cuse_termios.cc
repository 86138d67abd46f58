// Termios for CUSE listeners. See cuse_termios.h.
#include "engine/cuse_termios.h"

#include <termios.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace ttyhub {

static_assert(sizeof(SerialTermios) == kKernelTermios2Bytes,
              "SerialTermios mirrors the kernel's termios2");
static_assert(offsetof(SerialTermios, ispeed) == kKernelTermiosBytes,
              "termios2's speeds follow struct termios");

SerialTermios TermiosFromKernelBytes(absl::string_view bytes) {
  SerialTermios t;
  std::memcpy(&t, bytes.data(), std::min(bytes.size(), sizeof(t)));
  return t;
}

std::string KernelBytesFromTermios(const SerialTermios& t, size_t size) {
  return std::string(reinterpret_cast<const char*>(&t), std::min(size, sizeof(t)));
}

absl::StatusOr<TermiosRequest> RequestFromTermios(const SerialTermios& t,
                                                  const SerialSettings& current) {
  TermiosRequest r;
  r.settings = SettingsFromTermios(t);
  const uint32_t code = t.cflag & CBAUD;
  if (code == B0) {
    r.hang_up = true;
    r.settings.baud = current.baud;
  } else if (code == kBother && t.ospeed == 0) {
    r.settings.baud = current.baud;  // a 36-byte termios cannot say which speed
  }
  if (absl::Status s = CheckBaudRate(r.settings.baud); !s.ok()) return s;
  return r;
}

SerialTermios TermiosWithSettings(const SerialTermios& app, const SerialSettings& s) {
  SerialTermios t = app;
  t.cflag &=
      ~static_cast<uint32_t>(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS | CBAUD | CIBAUD);
  t.iflag &= ~static_cast<uint32_t>(IXON | IXOFF);
  t.cflag |= FrameCflag(s);
  if (s.flow == FlowControl::kRtsCts) t.cflag |= CRTSCTS;
  if (s.flow == FlowControl::kXonXoff) t.iflag |= IXON | IXOFF;
  const uint32_t code = StandardBaudCode(s.baud);
  t.cflag |= code != 0 ? code : kBother;  // CIBAUD 0: the input speed is the output speed
  t.ispeed = s.baud;
  t.ospeed = s.baud;
  return t;
}

SerialTermios InitialCuseTermios(const SerialSettings& s) {
  SerialTermios t;
  t.cflag = CREAD | CLOCAL;
  t.cc[VMIN] = 1;
  t.cc[VTIME] = 0;
  return TermiosWithSettings(t, s);
}

}  // namespace ttyhub
