// UartCounters: a UART's cumulative error and traffic counters.
//
// A light value type (no engine dependencies) so that snapshots, the line
// error monitor and the tty seam can share it. Plain data; any thread.
#ifndef TTYHUB_ENGINE_UART_COUNTERS_H_
#define TTYHUB_ENGINE_UART_COUNTERS_H_

#include <cstdint>

namespace ttyhub {

// Cumulative counters since the driver opened the line (TIOCGICOUNT).
struct UartCounters {
  uint64_t rx = 0;
  uint64_t tx = 0;
  uint64_t frame = 0;
  uint64_t parity = 0;
  uint64_t overrun = 0;      // the UART's FIFO overflowed
  uint64_t buf_overrun = 0;  // the tty layer's buffer overflowed
  uint64_t brk = 0;          // breaks received
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_UART_COUNTERS_H_
