// A pty listener's termios, read back as port settings. See pty_settings.h.
#include "engine/pty_settings.h"

#include <termios.h>

namespace ttyhub {

PtyLineView PtyLineViewOf(const SerialTermios& t) {
  const SerialSettings s = SettingsFromTermios(t);
  return {s.baud, s.stop_bits, s.flow};
}

SerialSettings PtyChangeRequest(const SerialSettings& base, const PtyLineView& before,
                                const PtyLineView& now) {
  SerialSettings wanted = base;
  // B0 asks a modem to hang up; it is not a speed, and the port keeps its own.
  if (now.baud != before.baud && now.baud != 0) wanted.baud = now.baud;
  if (now.stop_bits != before.stop_bits) wanted.stop_bits = now.stop_bits;
  if (now.flow != before.flow) wanted.flow = now.flow;
  return wanted;
}

SerialTermios InitialPtyTermios(const SerialTermios& current, const SerialSettings& line) {
  SerialTermios t = BuildTermios(current, line, /*local=*/true);
  t.lflag |= EXTPROC;
  return t;
}

absl::Status PtySettingsWatch::Start(int master_fd, const SerialSettings& line) {
  SerialTermios t;
  if (absl::Status s = tty_.GetAttr(master_fd, &t); !s.ok()) return s;
  if (absl::Status s = tty_.SetAttr(master_fd, InitialPtyTermios(t, line)); !s.ok()) return s;
  // What the kernel kept (CS8 forced, PARENB cleared), not what was asked.
  if (absl::Status s = tty_.GetAttr(master_fd, &t); !s.ok()) return s;
  seen_ = PtyLineViewOf(t);
  return absl::OkStatus();
}

std::optional<SerialSettings> PtySettingsWatch::Check(int master_fd, const SerialSettings& base) {
  SerialTermios t;
  if (!tty_.GetAttr(master_fd, &t).ok()) return std::nullopt;
  if ((t.lflag & EXTPROC) == 0) {
    // The kernel reported this change because EXTPROC was on before it;
    // without it, the next one would go unseen.
    SerialTermios with = t;
    with.lflag |= EXTPROC;
    (void)tty_.SetAttr(master_fd, with);
  }
  const PtyLineView now = PtyLineViewOf(t);
  if (now == seen_) return std::nullopt;
  const SerialSettings wanted = PtyChangeRequest(base, seen_, now);
  seen_ = now;
  return wanted;
}

}  // namespace ttyhub
