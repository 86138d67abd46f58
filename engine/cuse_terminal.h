// CuseTerminal: the terminal state behind a `cuse:` listener's /dev/NAME,
// and its conversation with the port (issue 13, section 3).
//
// The CUSE listener serves its device as one RFC 2217 client of its own
// port, over a socketpair (CuseTty owns the I/O). This type is that
// client's logic, pure, bytes in and bytes out:
//  - data: what applications write is telnet-encoded (0xFF doubled) into
//    to_port(); what the port sends is decoded into a receive queue, which
//    applications read;
//  - the line: termios changes, DTR/RTS, break and purges become RFC 2217
//    requests in the same stream, so the port acts on each at its place
//    among the bytes (after the bytes written before it), through the same
//    path as any RFC 2217 client: the rw/ro rule, the port's DeviceLine,
//    and from there a local UART or, for an rfc2217:// device, the remote
//    port. The port's answers give the settings in force (what TCGETS
//    reports) and the modem state (TIOCMGET).
//  - ordering: the server answers requests in order, so a request's answer
//    says everything before it was acted on. Sync() returns a ticket that
//    Reached() turns true for then: TCSETSW, TCSETSF and tcdrain wait on it.
//
// Access: a listener with `access: ro` refuses every change here
// (PermissionDenied), before anything reaches the port.
//
// The receive queue is bounded (rx_limit): a tty's buffer is too, and the
// port must never wait on an application that does not read. Bytes beyond
// it are dropped and counted (rx_dropped), as an overrun. to_port() is
// bounded by tx_limit for data (write_room); requests always fit.
//
// One per CUSE listener, on its port's worker thread. Unit-tested against
// ttyhub's own RFC 2217 server (tests/engine/cuse_terminal_test.cc).
#ifndef TTYHUB_ENGINE_CUSE_TERMINAL_H_
#define TTYHUB_ENGINE_CUSE_TERMINAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "config/serial_settings.h"
#include "engine/serial_termios.h"
#include "engine/telnet_client_session.h"

namespace ttyhub {

class CuseTerminal {
 public:
  struct Limits {
    size_t rx_bytes = 64 * 1024;  // receive queue, data bytes
    size_t tx_bytes = 64 * 1024;  // to_port(), encoded bytes, before writes wait
  };
  // `may_change`: rw access. `initial`: the settings assumed until the port
  // has said which are in force.
  CuseTerminal(bool may_change, const SerialSettings& initial, Limits limits);
  CuseTerminal(bool may_change, const SerialSettings& initial)
      : CuseTerminal(may_change, initial, Limits{}) {}

  // A new connection to the port: a fresh telnet session, whose offers and
  // the queries for the settings and modem state go to to_port(). Bytes
  // not yet sent on the old connection are dropped.
  void Connect();
  bool connected() const { return session_ != nullptr; }
  // The connection is gone: nothing more is sent until Connect().
  void Disconnect();

  // Bytes from the port (decoded in place).
  void FromPort(uint8_t* buf, size_t n);
  // Bytes to send to the port, in order; the caller erases what it sent.
  std::string& to_port() { return to_port_; }

  // Application data: takes what fits in write_room() (encoded), returns
  // the number of bytes taken. 0 while not connected.
  size_t Write(absl::string_view data);
  size_t write_room() const;
  // Bytes the application wrote that have not left for the port yet
  // (TIOCOUTQ; approximate: counted encoded).
  size_t out_queue() const { return to_port_.size(); }

  // The receive queue.
  size_t rx_size() const { return rx_.size() - rx_head_; }
  // Moves up to `max` bytes to `out`; returns the count.
  size_t Read(char* out, size_t max);
  uint64_t rx_dropped() const { return rx_dropped_; }
  // Empties the receive queue (nobody has the device open).
  void DiscardReceived() {
    rx_.clear();
    rx_head_ = 0;
  }

  // TCGETS: the application's termios with the settings in force.
  SerialTermios Termios() const;
  // TCSETS: keeps `t` for TCGETS and asks the port for its line settings
  // (and, for B0, drops DTR and RTS). PermissionDenied (ro) if they differ
  // from those in force; InvalidArgument for a bad speed.
  absl::Status SetTermios(const SerialTermios& t);
  // The settings in force, as the port last said (or `initial`).
  const SerialSettings& settings() const { return settings_; }
  // Whether the port has answered the queries sent at Connect() or the
  // last Refresh().
  bool settings_known() const { return settings_known_; }
  // Asks the port again for its settings and modem state (an application
  // opens the device: someone may have changed them meanwhile).
  void Refresh();

  // TIOCM_* bits: DTR and RTS as last set, CTS/DSR/RI/CD as the port last
  // reported them.
  int ModemBits() const;
  // TIOCMSET (`set` replaces DTR/RTS), or TIOCMBIS/TIOCMBIC (`on` for
  // `bits`). Other bits are ignored, as a UART driver does.
  absl::Status SetModemBits(int bits);
  absl::Status ChangeModemBits(int bits, bool on);
  // TIOCSBRK/TIOCCBRK, and TCSBRK's pulse (about 250 ms, the port's).
  absl::Status SetBreak(bool on);
  absl::Status BreakPulse();
  // TCFLSH: input drops the receive queue (and what the port holds for this
  // client); output (rw only) has the port drop what the device's driver
  // holds for transmission.
  void FlushInput();
  void FlushOutput();

  // A ticket that Reached() turns true once the port has acted on
  // everything sent before it. Tickets belong to one connection.
  uint64_t Sync();
  bool Reached(uint64_t ticket) const;
  // The ticket of the queries sent at Connect() or the last Refresh().
  uint64_t settings_ticket() const { return settings_ticket_; }

  // TIOCGWINSZ/TIOCSWINSZ: kept, not used (8 bytes, struct winsize).
  std::string winsize = std::string(8, '\0');

 private:
  // Appends one request's frames; counts the answers they will bring.
  void Sent(uint64_t answers) { expected_ += answers; }

  const bool may_change_;
  const Limits limits_;
  std::unique_ptr<TelnetClientSession> session_;
  std::string to_port_;
  std::string rx_;
  size_t rx_head_ = 0;  // rx_[rx_head_..] is unread
  uint64_t rx_dropped_ = 0;

  SerialTermios app_termios_;  // as the application last set it
  SerialSettings settings_;
  bool settings_known_ = false;
  int output_lines_;         // kModemDtr | kModemRts as last set
  uint8_t modem_state_ = 0;  // RFC 2217 MODEMSTATE bits, last reported
  uint64_t expected_ = 0;    // answers the requests sent so far will bring
  uint64_t settings_ticket_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CUSE_TERMINAL_H_
