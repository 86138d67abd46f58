// ClientHost: everything a ClientConnection may ask of the port that owns it.
//
// The narrow waist between a client and its port (in the way
// SerialLineControl is the waist between a telnet session and its client):
// a client reads the port's output ring through its own cursor, reserves and
// commits input, reports what it delivered, and says when it releases the
// ring or its listener slot. It never reaches into the port's internals, so
// ClientConnection is tested against a fake host (tests/engine) and Port
// against real clients.
//
// Implemented by Port. Every call happens on the port's worker thread.
#ifndef TTYHUB_ENGINE_CLIENT_HOST_H_
#define TTYHUB_ENGINE_CLIENT_HOST_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "config/config.h"
#include "engine/close_reason.h"
#include "engine/fanout_ring.h"
#include "engine/port_line.h"

namespace ttyhub {

class ClientConnection;

class ClientHost {
 public:
  // The port's name, for log lines.
  virtual const std::string& port_name() const = 0;
  // Device bytes, read by every client from its own cursor. Clients never
  // write to it.
  virtual const FanoutRing& output() const = 0;

  // --- Output (device to client) ---
  // Ring bytes [from, to) reached `client`'s socket: counts them and records
  // the read-to-delivery latency.
  virtual void OnDelivered(const ClientConnection& client, uint64_t from, uint64_t to) = 0;
  // A lapped client's cursor jumped over `bytes` it will never receive.
  virtual void OnSkipped(uint64_t bytes) = 0;
  // `client` no longer pins the ring where it did (a send completed, its
  // cursor moved, it stopped being lossless): device reads may resume.
  virtual void OnRingReleased() = 0;

  // --- Input (client to device; rw clients only) ---
  // Room at the end of the input queue, to recv into, and the input-stream
  // position of its first byte. If fewer than `needed` (>= 1) bytes are
  // free, the space is empty: the host then remembers `client` and calls
  // its ResumeInput() when room returns. Nothing is queued until CommitInput.
  struct InputSpan {
    std::span<uint8_t> space;
    uint64_t position = 0;
  };
  virtual InputSpan InputSpace(ClientConnection& client, size_t needed) = 0;
  // Queues the first `data_bytes` bytes of the last InputSpace (telnet
  // commands already taken out in place). Marks come next, then PumpInput.
  virtual void CommitInput(size_t data_bytes) = 0;
  // `client` has a command (a telnet BRK, an RFC 2217 change) that must take
  // effect after the input queued before `position` reached the device and
  // before any later byte: the host calls client.RunInputCommands(position)
  // exactly then. Positions from one client never decrease.
  virtual void MarkInputCommand(ClientConnection& client, uint64_t position) = 0;
  // Writes what it can of the queue to the device; runs marks reached.
  virtual void PumpInput() = 0;
  // Bytes a read-only client sent and ttyhub discarded.
  virtual void OnDiscarded(uint64_t bytes) = 0;
  // RFC 2217 PURGE-DATA (transmit side) from a rw client, at its turn in the
  // input stream: everything queued before it has reached the driver, so
  // what is dropped is what the driver still holds. Counted and logged.
  virtual void PurgeInput(ClientConnection& client) = 0;
  // The line this client's RFC 2217 / telnet commands act on.
  virtual PortLine& line() = 0;
  // An RFC 2217 client asked to change the line; `refused` if read-only.
  virtual void OnLineChangeRequest(bool refused) = 0;

  // --- Lifecycle ---
  // The peer shut down its sending side: the client may linger to flush
  // output, but no longer counts against its listener's max_clients.
  // Called at most once per client.
  virtual void ReleaseSlot(ClientConnection& client) = 0;
  // The client began closing for `reason`: the host counts it, releases the
  // client's slot (unless already released) and forgets its input marks.
  virtual void OnClientClosing(ClientConnection& client, CloseReason reason) = 0;
  // The client closed its socket and has nothing in flight: free it later.
  virtual void OnClientFinished() = 0;
  // True if a routine client message (connect, disconnect) may be logged
  // now; false if it only counts towards the periodic summary.
  virtual bool AdmitConnectionLog() = 0;

 protected:
  ~ClientHost() = default;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_CLIENT_HOST_H_
