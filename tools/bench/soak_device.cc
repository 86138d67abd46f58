// See soak_device.h.
#include "tools/bench/soak_device.h"

#include <sys/ioctl.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ttyhub::bench {
namespace {

// How long a hang-up waits for the server to read what is in the pty.
constexpr double kDrainSeconds = 10;
// The most the writer may be allowed ahead of what it wrote, in seconds of
// stream: a device whose reader stalls does not burst afterwards.
constexpr double kMaxBacklogSeconds = 0.1;
// Bytes per write call (about 10 ms of stream at the default rate).
constexpr size_t kChunkBytes = 4096;

}  // namespace

SoakDevice::SoakDevice(PortFixture& fixture, size_t port, uint64_t seed, double rate_bytes_per_s,
                       SoakEventLog& events)
    : fixture_(fixture), port_(port), seed_(seed), rate_(rate_bytes_per_s), events_(events) {}

absl::Status SoakDevice::StartWriter() {
  writer_ = std::make_unique<PatternWriter>(fixture_.loop(), fixture_.pty(port_).master(),
                                            /*is_socket=*/false, seed_, kChunkBytes, offset_);
  last_pace_ = Clock::now();
  state_ = State::kStreaming;
  return writer_->Start();
}

absl::Status SoakDevice::Start() { return StartWriter(); }

bool SoakDevice::SettledFor(double seconds) const {
  return state_ == State::kStreaming &&
         (!came_back_at_ || SecondsBetween(*came_back_at_, Clock::now()) >= seconds);
}

int SoakDevice::UnreadBytes() const {
  int unread = 0;
  if (ioctl(fixture_.pty(port_).slave(), TIOCINQ, &unread) != 0) return -1;
  return unread;
}

void SoakDevice::BeginHangUp(double absent_s) {
  if (state_ != State::kStreaming) return;
  writer_->Stop();
  absent_s_ = absent_s;
  state_ = State::kDraining;
  state_deadline_ = Clock::now() + SecondsToDuration(kDrainSeconds);
}

void SoakDevice::Tick(SoakCounts* counts) {
  const Clock::time_point now = Clock::now();
  switch (state_) {
    case State::kStreaming: {
      const double elapsed = SecondsBetween(last_pace_, now);
      last_pace_ = now;
      const uint64_t written = writer_->written();
      const uint64_t limit = std::max(writer_->limit(), written);
      const uint64_t step = static_cast<uint64_t>(rate_ * elapsed);
      const uint64_t cap = written + static_cast<uint64_t>(rate_ * kMaxBacklogSeconds);
      const uint64_t next = std::min(limit + step, std::max(cap, limit));
      if (next > writer_->limit()) writer_->AllowUpTo(next);
      if (writer_->error() != 0 && !write_error_logged_) {
        write_error_logged_ = true;
        events_.Add("device", absl::StrCat("p", port_, " device"),
                    absl::StrCat("write to the pty master failed: errno ", writer_->error()));
      }
      return;
    }
    case State::kDraining: {
      const int unread = UnreadBytes();
      if (unread != 0 && now < state_deadline_) return;
      if (unread > 0) {
        counts->hangup_discarded_bytes += static_cast<uint64_t>(unread);
        events_.Add("hangup_discarded_bytes", absl::StrCat("p", port_, " device"),
                    absl::StrCat("the server had not read ", unread, " B ", kDrainSeconds,
                                 " s after the device stopped; hung up anyway (those bytes are "
                                 "lost: clients see a gap)"));
      }
      offset_ = writer_->written();
      writer_.reset();  // unregisters the master before it closes
      fixture_.HangUpDevice(port_);
      ++counts->hangups;
      state_ = State::kAbsent;
      state_deadline_ = now + SecondsToDuration(absent_s_);
      return;
    }
    case State::kAbsent: {
      if (now < state_deadline_) return;
      if (absl::Status s = fixture_.ReplugDevice(port_); !s.ok()) {
        events_.Add("device", absl::StrCat("p", port_, " device"),
                    absl::StrCat("cannot bring the device back: ", s.message(), "; retrying"));
        state_deadline_ = now + SecondsToDuration(1);
        return;
      }
      came_back_at_ = now;
      if (absl::Status s = StartWriter(); !s.ok()) {
        events_.Add("device", absl::StrCat("p", port_, " device"),
                    absl::StrCat("cannot write to the new pty: ", s.message()));
      }
      return;
    }
  }
}

}  // namespace ttyhub::bench
