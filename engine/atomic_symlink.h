// Publishing a device path as a symlink, atomically: what a `pty:` device
// and a `pty:` listener both do with their /dev/pts/N.
//
// The link is made under a temporary name and renamed over `link`, so it is
// never missing or half made for a program that opens it. Anything at
// `link` that is not a symlink is never replaced. Blocking syscalls on a
// local path, made when a port starts or remakes its pty. Any thread.
#ifndef TTYHUB_ENGINE_ATOMIC_SYMLINK_H_
#define TTYHUB_ENGINE_ATOMIC_SYMLINK_H_

#include <string>

#include "absl/status/status.h"

namespace ttyhub {

// Points `link` at `target`. AlreadyExists if `link` exists and is not a
// symlink; the errno of a failed symlink() or rename() otherwise.
absl::Status PublishSymlink(const std::string& target, const std::string& link);

}  // namespace ttyhub

#endif  // TTYHUB_ENGINE_ATOMIC_SYMLINK_H_
