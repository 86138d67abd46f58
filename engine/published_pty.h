// PublishedPty: a pseudo-terminal pair whose slave is published as a
// symlink, for a pty listener.
//
// Create() opens a master (non-blocking, close-on-exec, packet mode:
// TIOCPKT, so the reader learns of termios changes), opens the slave and
// keeps it open (so the master never sees a hang-up, EIO on read, when the
// program on the slave closes it and opens it again), gives the slave the
// configured owner, group and mode, and points the link at it: a symlink to
// a temporary name renamed over the link, so the link is never missing and
// never half-made. The master is handed to the listener's client
// (TakeMaster); this object keeps the slave and the link. Destroying it,
// or Unpublish, removes the link if it still points at this pty's slave (a
// newer pty for the same link has replaced it otherwise); destroying it
// also closes the slave.
//
// Owned by a pty Listener on its port's worker thread. Everything here is
// a few syscalls on tmpfs and devpts: done inline on the worker.
#ifndef TTYHUB_ENGINE_PUBLISHED_PTY_H_
#define TTYHUB_ENGINE_PUBLISHED_PTY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ttyhub {

class PublishedPty {
 public:
  // `uid`, `gid`: the slave's owner and group, -1 to leave it (the
  // process's uid, devpts' tty group); `mode`: its permission bits.
  static absl::StatusOr<std::unique_ptr<PublishedPty>> Create(const std::string& link, int64_t uid,
                                                              int64_t gid, uint32_t mode);
  ~PublishedPty();
  PublishedPty(const PublishedPty&) = delete;
  PublishedPty& operator=(const PublishedPty&) = delete;

  // The master, to its new owner, who closes it; -1 once taken.
  int TakeMaster();
  // "/dev/pts/5".
  const std::string& slave_path() const { return slave_path_; }
  // Removes the link if it still points at this pty's slave; the slave
  // stays open (so the master's reader sees no hang-up before it closes).
  void Unpublish();

 private:
  PublishedPty(std::string link, int master, int slave, std::string slave_path)
      : link_(std::move(link)),
        master_(master),
        slave_(slave),
        slave_path_(std::move(slave_path)) {}

  const std::string link_;
  int master_;
  int slave_;
  const std::string slave_path_;
  // False until the link points at the slave: only then may the destructor
  // remove it.
  bool published_ = true;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_PUBLISHED_PTY_H_
