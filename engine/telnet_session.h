// TelnetSession: the telnet protocol for one client (protocol: telnet or
// rfc2217).
//
// Negotiates as a server: offers WILL ECHO, WILL SGA, DO SGA and BINARY both
// ways; accepts COM-PORT-OPTION on rfc2217 listeners; refuses anything else
// with WONT/DONT. Option state follows RFC 1143's rule of never answering a
// request for the state an option is already in, so negotiation cannot
// loop. Handles BRK (a break on the device), AYT, and hands COM-PORT
// subnegotiations to Rfc2217Handler.
//
// Everything it has to say goes into output(), which the client sends ahead
// of port data. The output is bounded by the caller: a client that floods
// requests faster than it reads answers is disconnected (see
// ClientConnection). One per client, on its worker thread.
#ifndef TTYHUB_ENGINE_TELNET_SESSION_H_
#define TTYHUB_ENGINE_TELNET_SESSION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/rfc2217_handler.h"
#include "engine/serial_line_control.h"
#include "engine/telnet_decoder.h"

namespace ttyhub {

class TelnetSession {
 public:
  // `rfc2217`: accept COM-PORT-OPTION; `signature` is what SIGNATURE reports.
  TelnetSession(bool rfc2217, SerialLineControl& line, std::string signature);

  // Queues the server's opening offers.
  void Start();

  // Decodes client bytes in place (see TelnetDecoder); returns the number of
  // data bytes now at the front of buf. `position` is the data-stream
  // position buf[0] will have (the client's input-queue position), so each
  // command that acts on the device (BRK, COM-PORT subnegotiations) is
  // placed between the data bytes it stood between; it waits in the
  // session until ProcessEventsThrough reaches it. Everything else
  // (negotiation, AYT) is acted on at once.
  size_t DecodeInput(uint8_t* buf, size_t n, uint64_t position);
  // Calls mark(position) once for each distinct position at which commands
  // decoded since the last call wait, in order. The client asks its port to
  // run them when the input before that position has reached the device.
  template <typename Mark>
  void TakeNewCommandPositions(Mark&& mark) {
    for (; unmarked_ < events_.size(); ++unmarked_) {
      const uint64_t at = events_[unmarked_].at;
      if (unmarked_ == first_ || events_[unmarked_ - 1].at != at) mark(at);
    }
  }
  // Acts, in order, on the waiting commands decoded at or before
  // `position`; later ones keep waiting. Stops as soon as the line says the
  // client is no longer active (a command may close it).
  void ProcessEventsThrough(uint64_t position);
  // Commands waiting. The client stops reading while too many wait (a
  // device that accepts nothing must not grow this).
  size_t pending_events() const { return events_.size() - first_; }
  // Forgets every waiting command (the client is closing).
  void DropEvents();

  // Bytes to send to the client before any more port data.
  std::string& output() { return output_; }

  // The client accepted our BINARY: device bytes need no CR NUL stuffing.
  bool binary_to_client() const { return us_[kBinarySlot].enabled; }
  // The client sends BINARY: its CR NUL / CR LF are data.
  bool binary_from_client() const { return him_[kBinarySlot].enabled; }
  // COM-PORT-OPTION is active (the client said WILL or DO it).
  bool comport_active() const;

  // Port notifications, forwarded to the RFC 2217 handler when active.
  void OnModemState(uint8_t state);
  void OnLineState(uint8_t state);

  uint64_t protocol_errors() const;

 private:
  // Per-option negotiation state, one side.
  struct Side {
    bool enabled = false;
    bool pending = false;  // we sent a request and await the answer
    uint16_t answers = 0;  // replies sent; capped against hostile loops
  };
  enum Slot { kBinarySlot, kEchoSlot, kSgaSlot, kComPortSlot, kSlots };
  static constexpr uint16_t kMaxAnswersPerOption = 50;

  int SlotOf(uint8_t option) const;
  bool SupportedUs(int slot) const;
  bool SupportedHim(int slot) const;
  void Send(uint8_t verb, uint8_t option);
  void Request(bool us, uint8_t option, bool enable);
  void OnNegotiation(const TelnetEvent& e);
  void OnCommand(uint8_t command);
  void Act(const TelnetEvent& e);
  // Whether `e` acts on the device, and so must keep its place in the data.
  static bool ActsOnDevice(const TelnetEvent& e);

  const bool rfc2217_;
  SerialLineControl& line_;
  TelnetDecoder decoder_;
  // Waiting commands are events_[first_, size()), `at` ascending; a head
  // index, so acting on one costs O(1) (the vector is compacted when empty
  // or mostly consumed).
  std::vector<TelnetEvent> events_;
  size_t first_ = 0;
  size_t unmarked_ = 0;  // events_[unmarked_...] not yet handed to a mark
  std::unique_ptr<Rfc2217Handler> comport_;
  std::array<Side, kSlots> us_{};
  std::array<Side, kSlots> him_{};
  std::string output_;
  uint64_t refused_options_ = 0;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_TELNET_SESSION_H_
