// Admin connection deadlines and room-making. See admin_connection_guard.h.
#include "engine/admin_connection_guard.h"

#include <utility>

namespace ttyhub {

template <typename Pred>
bool AdminConnectionGuard::CutOldestWaiting(Id except, Pred eligible, std::vector<Cut>* cut) {
  auto oldest = connections_.end();
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    const Connection& c = it->second;
    if (it->first == except || c.cut || c.phase != Phase::kWaitingForRequest || !eligible(c)) {
      continue;
    }
    if (oldest == connections_.end() || c.since < oldest->second.since) oldest = it;
  }
  if (oldest == connections_.end()) return false;
  oldest->second.cut = true;
  cut->push_back({oldest->first, CutReason::kRoom});
  return true;
}

std::vector<AdminConnectionGuard::Cut> AdminConnectionGuard::Opened(Id id, std::string peer,
                                                                    Clock::time_point now) {
  std::vector<Cut> cut;
  Connection& added = connections_[id];
  added = Connection{std::move(peer), Phase::kWaitingForRequest, now, false, false};
  size_t same_peer = 0;
  size_t all = 0;
  for (const auto& [other_id, c] : connections_) {
    if (c.cut) continue;
    ++all;
    if (c.peer == added.peer) ++same_peer;
  }
  const std::string& peer_ref = added.peer;
  while (same_peer > limits_.per_peer &&
         CutOldestWaiting(
             id, [&](const Connection& c) { return c.peer == peer_ref; }, &cut)) {
    --same_peer;
    --all;
  }
  while (all > limits_.total && CutOldestWaiting(
                                    id, [](const Connection&) { return true; }, &cut)) {
    --all;
  }
  return cut;
}

void AdminConnectionGuard::RequestComplete(Id id, Clock::time_point now) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second.phase = Phase::kAnswering;
  it->second.since = now;
}

void AdminConnectionGuard::AnswerSent(Id id, Clock::time_point now) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second.phase = Phase::kWaitingForRequest;
  it->second.since = now;
  it->second.answered = true;
}

void AdminConnectionGuard::Closed(Id id) { connections_.erase(id); }

std::vector<AdminConnectionGuard::Cut> AdminConnectionGuard::Overdue(Clock::time_point now) {
  std::vector<Cut> cut;
  for (auto& [id, c] : connections_) {
    if (c.cut) continue;
    const bool waiting = c.phase == Phase::kWaitingForRequest;
    if (now - c.since < (waiting ? limits_.request_deadline : limits_.answer_deadline)) continue;
    c.cut = true;
    cut.push_back({id, !waiting     ? CutReason::kSlowAnswer
                       : c.answered ? CutReason::kIdleAfterAnswer
                                    : CutReason::kSlowRequest});
  }
  return cut;
}

size_t AdminConnectionGuard::live() const {
  size_t n = 0;
  for (const auto& [id, c] : connections_) n += c.cut ? 0 : 1;
  return n;
}

}  // namespace ttyhub
