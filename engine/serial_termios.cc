// Settings <-> termios bits. See serial_termios.h.
#include "engine/serial_termios.h"

#include <termios.h>

namespace ttyhub {
namespace {

struct BaudCode {
  uint32_t baud;
  uint32_t code;
};

constexpr BaudCode kBaudCodes[] = {
    {50, B50},           {75, B75},           {110, B110},         {134, B134},
    {150, B150},         {200, B200},         {300, B300},         {600, B600},
    {1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};

static_assert(kBother == 0010000, "BOTHER is 0010000 on Linux");

}  // namespace

uint32_t StandardBaudCode(uint32_t baud) {
  for (const BaudCode& b : kBaudCodes) {
    if (b.baud == baud) return b.code;
  }
  return 0;
}

uint32_t FrameCflag(const SerialSettings& s) {
  uint32_t cflag = s.data_bits == 5 ? CS5 : s.data_bits == 6 ? CS6 : s.data_bits == 7 ? CS7 : CS8;
  switch (s.parity) {
    case Parity::kNone:
      break;
    case Parity::kEven:
      cflag |= PARENB;
      break;
    case Parity::kOdd:
      cflag |= PARENB | PARODD;
      break;
    case Parity::kMark:
      cflag |= PARENB | CMSPAR | PARODD;
      break;
    case Parity::kSpace:
      cflag |= PARENB | CMSPAR;
      break;
  }
  if (s.stop_bits == 2) cflag |= CSTOPB;
  return cflag;
}

SerialTermios BuildTermios(const SerialTermios& current, const SerialSettings& s, bool local) {
  SerialTermios t = current;
  // Raw mode, as cfmakeraw(3), plus no software flow control unless asked.
  t.iflag &= ~static_cast<uint32_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                                    IXON | IXOFF | IXANY | INPCK | IUCLC | IMAXBEL);
  t.oflag &= ~static_cast<uint32_t>(OPOST);
  t.lflag &= ~static_cast<uint32_t>(ECHO | ECHONL | ECHOE | ECHOK | ECHOCTL | ECHOKE | ICANON |
                                    ISIG | IEXTEN);
  t.cflag &= ~static_cast<uint32_t>(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS | CLOCAL |
                                    HUPCL | CBAUD | CIBAUD);
  t.cflag |= CREAD;
  t.cflag |= FrameCflag(s);
  // Parity is generated and checked by the UART. INPCK stays off, so a byte
  // with a parity error is delivered as received rather than replaced by NUL;
  // the driver still counts it (TIOCGICOUNT).
  switch (s.flow) {
    case FlowControl::kNone:
      break;
    case FlowControl::kRtsCts:
      t.cflag |= CRTSCTS;
      break;
    case FlowControl::kXonXoff:
      t.iflag |= IXON | IXOFF;
      break;
  }
  if (local) t.cflag |= CLOCAL;
  const uint32_t code = StandardBaudCode(s.baud);
  t.cflag |= code != 0 ? code : kBother;  // CIBAUD 0: input speed follows output
  t.ispeed = s.baud;
  t.ospeed = s.baud;
  t.cc[VMIN] = 1;
  t.cc[VTIME] = 0;
  return t;
}

SerialSettings SettingsFromTermios(const SerialTermios& t) {
  SerialSettings s;
  const uint32_t code = t.cflag & CBAUD;
  s.baud = t.ospeed;
  if (code != kBother) {
    for (const BaudCode& b : kBaudCodes) {
      if (b.code == code) s.baud = b.baud;
    }
  }
  switch (t.cflag & CSIZE) {
    case CS5:
      s.data_bits = 5;
      break;
    case CS6:
      s.data_bits = 6;
      break;
    case CS7:
      s.data_bits = 7;
      break;
    default:
      s.data_bits = 8;
      break;
  }
  if ((t.cflag & PARENB) == 0) {
    s.parity = Parity::kNone;
  } else if (t.cflag & CMSPAR) {
    s.parity = (t.cflag & PARODD) ? Parity::kMark : Parity::kSpace;
  } else {
    s.parity = (t.cflag & PARODD) ? Parity::kOdd : Parity::kEven;
  }
  s.stop_bits = (t.cflag & CSTOPB) ? 2 : 1;
  if (t.cflag & CRTSCTS) {
    s.flow = FlowControl::kRtsCts;
  } else if (t.iflag & IXON) {
    s.flow = FlowControl::kXonXoff;
  }
  return s;
}

}  // namespace ttyhub
