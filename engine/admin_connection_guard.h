// AdminConnectionGuard: keeps the admin API answering while peers abuse it.
//
// Pure bookkeeping, no I/O: the admin server tells it when a connection
// opens, when its request is complete, when its answer has been sent and
// when it closes; the guard says which connections to cut. Two rules:
//
//   - Deadlines. A connection gets `request_deadline` to deliver a complete
//     request (headers and body), counted from its opening or from the end of
//     its previous answer, so an idle or trickling peer cannot hold it. Once
//     the request is complete, `answer_deadline` bounds the handler and the
//     sending of the answer, so a peer that does not read cannot hold it
//     either.
//   - Room. When a new connection takes a peer address past `per_peer`
//     connections, or all peers past `total`, the oldest connection still
//     waiting for a request (of that peer, or of anyone) is cut to make room.
//     A connection whose request is complete is never cut for room. So a
//     fresh request always gets in, even from the same address as an abuser
//     (a Prometheus on loopback beside a misbehaving local script), while the
//     abuser's connections are recycled.
//
// Not thread-safe: the admin server calls it under its own mutex, and keeps
// that mutex held while it shuts the reported sockets down.
#ifndef TTYHUB_ENGINE_ADMIN_CONNECTION_GUARD_H_
#define TTYHUB_ENGINE_ADMIN_CONNECTION_GUARD_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ttyhub {

struct AdminConnectionLimits {
  size_t per_peer = 16;  // connections one peer address may hold before its oldest waiting one goes
  size_t total = 128;    // connections all peers may hold before the oldest waiting one goes
  std::chrono::milliseconds request_deadline{3'000};  // open (or last answer) -> complete request
  std::chrono::milliseconds answer_deadline{15'000};  // complete request -> answer sent
};

class AdminConnectionGuard {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = int64_t;  // unique among open connections (the server uses the socket fd)

  enum class CutReason : uint8_t {
    kRoom,             // the oldest waiting connection, cut for a new one
    kSlowRequest,      // no complete request within request_deadline
    kIdleAfterAnswer,  // keep-alive connection idle for request_deadline (routine)
    kSlowAnswer,       // answer not sent within answer_deadline
  };
  struct Cut {
    Id id;
    CutReason reason;
  };

  explicit AdminConnectionGuard(AdminConnectionLimits limits) : limits_(limits) {}

  // A connection from `peer` (an address without port) opened. Returns the
  // connections to cut to make room for it, never `id` itself; each is
  // reported once and no longer counted.
  std::vector<Cut> Opened(Id id, std::string peer, Clock::time_point now);
  // Its request is complete: the handler runs, then the answer is sent.
  void RequestComplete(Id id, Clock::time_point now);
  // Its answer has been sent: it waits for another request (keep-alive).
  void AnswerSent(Id id, Clock::time_point now);
  // It closed (for any reason, including a cut).
  void Closed(Id id);
  // Connections past their deadline; each is reported once.
  std::vector<Cut> Overdue(Clock::time_point now);

  // Connections open and not yet cut.
  size_t live() const;
  const AdminConnectionLimits& limits() const { return limits_; }

 private:
  enum class Phase : uint8_t { kWaitingForRequest, kAnswering };
  struct Connection {
    std::string peer;
    Phase phase = Phase::kWaitingForRequest;
    Clock::time_point since;  // start of the current phase
    bool answered = false;    // has had an answer sent (so it is a keep-alive connection)
    bool cut = false;         // reported; counts for nothing any more
  };

  // Cuts the connection waiting longest for a request among those for which
  // `eligible` holds; false if there is none.
  template <typename Pred>
  bool CutOldestWaiting(Id except, Pred eligible, std::vector<Cut>* cut);

  AdminConnectionLimits limits_;
  std::map<Id, Connection> connections_;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ADMIN_CONNECTION_GUARD_H_
