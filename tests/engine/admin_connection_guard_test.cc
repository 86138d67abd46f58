// The admin connection guard's rules on a fake clock: deadlines per phase,
// and room made by cutting the connection that has waited longest.
#include "engine/admin_connection_guard.h"

#include <chrono>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttyhub {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Clock = AdminConnectionGuard::Clock;
using Reason = AdminConnectionGuard::CutReason;
using std::chrono::milliseconds;

std::vector<AdminConnectionGuard::Id> Ids(const std::vector<AdminConnectionGuard::Cut>& cuts) {
  std::vector<AdminConnectionGuard::Id> ids;
  for (const auto& c : cuts) ids.push_back(c.id);
  return ids;
}

AdminConnectionLimits Limits(size_t per_peer, size_t total) {
  AdminConnectionLimits l;
  l.per_peer = per_peer;
  l.total = total;
  l.request_deadline = milliseconds(3000);
  l.answer_deadline = milliseconds(15000);
  return l;
}

TEST(AdminConnectionGuardTest, ARequestMustBeCompleteWithinItsDeadline) {
  AdminConnectionGuard g(Limits(16, 128));
  const Clock::time_point t0{};
  EXPECT_THAT(g.Opened(1, "127.0.0.1", t0), IsEmpty());
  EXPECT_THAT(g.Overdue(t0 + milliseconds(2999)), IsEmpty());
  const auto cut = g.Overdue(t0 + milliseconds(3000));
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].id, 1);
  EXPECT_EQ(cut[0].reason, Reason::kSlowRequest);
  EXPECT_THAT(g.Overdue(t0 + milliseconds(9000)), IsEmpty());  // reported once
  EXPECT_EQ(g.live(), 0u);
  g.Closed(1);
}

TEST(AdminConnectionGuardTest, AnsweringHasItsOwnDeadlineAndKeepAliveRestartsTheClock) {
  AdminConnectionGuard g(Limits(16, 128));
  const Clock::time_point t0{};
  g.Opened(1, "127.0.0.1", t0);
  g.RequestComplete(1, t0 + milliseconds(100));
  EXPECT_THAT(g.Overdue(t0 + milliseconds(10000)), IsEmpty());  // a slow handler is not cut
  g.AnswerSent(1, t0 + milliseconds(10000));
  EXPECT_THAT(g.Overdue(t0 + milliseconds(12999)), IsEmpty());
  const auto idle = g.Overdue(t0 + milliseconds(13000));
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0].reason, Reason::kIdleAfterAnswer);

  g.Opened(2, "127.0.0.1", t0);
  g.RequestComplete(2, t0);
  const auto slow = g.Overdue(t0 + milliseconds(15000));
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0].id, 2);
  EXPECT_EQ(slow[0].reason, Reason::kSlowAnswer);
}

TEST(AdminConnectionGuardTest, AFullPeerMakesRoomByCuttingItsOldestWaitingConnection) {
  AdminConnectionGuard g(Limits(3, 128));
  const Clock::time_point t0{};
  g.Opened(10, "127.0.0.1", t0);
  g.Opened(11, "127.0.0.1", t0 + milliseconds(1));
  g.Opened(12, "127.0.0.1", t0 + milliseconds(2));
  g.Opened(20, "10.0.0.1", t0);                 // another peer: not its problem
  g.RequestComplete(10, t0 + milliseconds(3));  // answering: never cut for room
  const auto cut = g.Opened(13, "127.0.0.1", t0 + milliseconds(4));
  EXPECT_THAT(Ids(cut), ElementsAre(11));
  EXPECT_EQ(cut[0].reason, Reason::kRoom);
  EXPECT_EQ(g.live(), 4u);
  // The new connection itself is never the one cut, even when nothing else can go.
  AdminConnectionGuard busy(Limits(1, 128));
  busy.Opened(1, "p", t0);
  busy.RequestComplete(1, t0);
  EXPECT_THAT(busy.Opened(2, "p", t0), IsEmpty());
}

TEST(AdminConnectionGuardTest, AFullServerCutsTheOldestWaitingConnectionOfAnyPeer) {
  AdminConnectionGuard g(Limits(16, 3));
  const Clock::time_point t0{};
  g.Opened(1, "a", t0 + milliseconds(5));
  g.Opened(2, "b", t0);
  g.Opened(3, "c", t0 + milliseconds(7));
  EXPECT_THAT(Ids(g.Opened(4, "d", t0 + milliseconds(9))), ElementsAre(2));
  g.Closed(2);
  EXPECT_EQ(g.live(), 3u);
}

// A scraper that shares its address with an abuser still gets in: each new
// connection pushes out the abuser's oldest idle one instead of being refused.
TEST(AdminConnectionGuardTest, ANewRequestAlwaysGetsInBesideAnAbuserOnTheSameAddress) {
  AdminConnectionGuard g(Limits(16, 128));
  Clock::time_point t{};
  for (int i = 0; i < 200; ++i) {
    t += milliseconds(1);
    for (const auto& c : g.Opened(i, "127.0.0.1", t)) g.Closed(c.id);
  }
  EXPECT_EQ(g.live(), 16u);
  t += milliseconds(1);
  const auto cut = g.Opened(1000, "127.0.0.1", t);
  EXPECT_THAT(Ids(cut), ElementsAre(184));  // the oldest survivor
  g.RequestComplete(1000, t);
  EXPECT_THAT(g.Overdue(t + milliseconds(1)), IsEmpty());
}

}  // namespace
}  // namespace ttyhub
