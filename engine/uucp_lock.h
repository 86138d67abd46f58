// UucpLock: the device lock that minicom, cu, picocom and ser2net take, so
// that ttyhub and they never fight over one serial device.
//
// The lock is a file LCK..<name> in a lock directory (/run/lock on Debian;
// /var/lock links there) holding the owner's PID as ten right-aligned ASCII
// digits and a newline ("      1234\n"), the FHS/UUCP format. <name> is
// the device's name after its last '/', once symlinks are resolved, so a
// /dev/serial/by-id/... path locks LCK..ttyUSB0 as `minicom -D /dev/ttyUSB0`
// does. Creation is atomic (a private temporary file linked to the lock
// name). A lock whose PID no longer exists is stale and taken over.
//
// Owned by a TtyDevice, on its port's worker thread. File operations are
// synchronous: they happen when the device is opened or closed.
#ifndef TTYHUB_ENGINE_UUCP_LOCK_H_
#define TTYHUB_ENGINE_UUCP_LOCK_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"

namespace ttyhub {

class UucpLock {
 public:
  // `lock_dir` such as "/run/lock"; `device_path` as configured.
  UucpLock(std::string lock_dir, std::string device_path);
  ~UucpLock() { Release(); }
  UucpLock(const UucpLock&) = delete;
  UucpLock& operator=(const UucpLock&) = delete;

  // OK: this process holds the lock (also if it already did). Unavailable:
  // a live process holds it; the message names its PID and command, such
  // as "/dev/ttyS0 is locked by PID 4242 (minicom) through
  // /run/lock/LCK..ttyS0". FailedPrecondition and others: no lock could be
  // made (a read-only or missing directory); the caller may go on without.
  // `took_stale`, if not null, is set to the PID of a stale lock taken over
  // (0 if none).
  absl::Status Acquire(pid_t* took_stale = nullptr);
  // Removes the lock file if it is still ours.
  void Release();
  bool held() const { return held_; }
  // The lock file for the device as it is now (symlinks resolved).
  std::string LockPath() const;

  // The PID in lock file contents: ASCII (any spacing) or the old 4-byte
  // binary form; -1 if neither.
  static pid_t ParseLockPid(const std::string& contents);

 private:
  std::string lock_dir_;
  std::string device_path_;
  std::string held_path_;  // the lock file we created
  bool held_ = false;
};

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_UUCP_LOCK_H_
